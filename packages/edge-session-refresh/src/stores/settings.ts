/**
 * What the settings say about the lock store: one variant per store. A store's own file (memory.ts,
 * upstash.ts, redis-tcp.ts) reads and checks its variant; table.ts picks which one the environment names.
 */

export type StoreSettings =
  | { readonly kind: "memory" }
  | { readonly kind: "upstash"; readonly url: string; readonly token: string }
  /** One Redis or Valkey server over TCP; credentials and TLS (`rediss://`) come in the URL. */
  | { readonly kind: "redis"; readonly url: string }
  | {
      readonly kind: "redis-cluster";
      /** Seed nodes as `host:port`; the client discovers the rest. */
      readonly nodes: readonly string[];
      readonly tls: boolean;
      readonly username: string | undefined;
      readonly password: string | undefined;
    };

export type StoreKind = StoreSettings["kind"];

/** The variant of one kind. */
export type SettingsOf<K extends StoreKind> = Extract<StoreSettings, { kind: K }>;

/** The settings of the stores that speak Redis over TCP (Node runtime only: src/stores/node). */
export type TcpRedisSettings = SettingsOf<"redis" | "redis-cluster">;

/** A URL with its password replaced, for messages and logs. */
export function redactedUrl(value: string): string {
  try {
    const parsed = new URL(value);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return value.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
}

/** The URL parses, has a host, and its scheme is one of `schemes` (with the colon: "https:"). */
export function isUrl(value: string, schemes: readonly string[]): boolean {
  try {
    const parsed = new URL(value);
    return schemes.includes(parsed.protocol) && parsed.hostname !== "";
  } catch {
    return false;
  }
}

/** The host name of a URL (lower case), or undefined when it is not one. */
export function hostOf(value: string): string | undefined {
  try {
    return new URL(value).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}
