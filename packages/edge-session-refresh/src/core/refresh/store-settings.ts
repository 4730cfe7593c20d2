/**
 * Which lock store the settings name, and every problem with those settings (parseSettings reports them
 * with the rest, in one message). Exactly one shared store may be named: Upstash over HTTP, a Redis over
 * TCP (`REDIS_URL`), or a Redis Cluster (`REDIS_CLUSTER_NODES`); none means the in-memory store.
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

const REDIS_URL_SCHEMES = ["redis:", "rediss:"];
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** `text` reads one trimmed setting (undefined when empty); problems are appended to `problems`. */
export function parseStoreSettings(text: (name: string) => string | undefined, problems: string[]): StoreSettings {
  const upstashUrl = text("UPSTASH_REDIS_REST_URL") ?? text("KV_REST_API_URL");
  const upstashToken = text("UPSTASH_REDIS_REST_TOKEN") ?? text("KV_REST_API_TOKEN");
  const redisUrl = text("REDIS_URL");
  const clusterNodes = text("REDIS_CLUSTER_NODES");
  const clusterTls = text("REDIS_CLUSTER_TLS");
  const username = text("REDIS_USERNAME");
  const password = text("REDIS_PASSWORD");

  const named = [
    upstashUrl !== undefined || upstashToken !== undefined ? "Upstash (UPSTASH_REDIS_REST_URL/KV_REST_API_URL)" : undefined,
    redisUrl !== undefined ? "a Redis server (REDIS_URL)" : undefined,
    clusterNodes !== undefined ? "a Redis Cluster (REDIS_CLUSTER_NODES)" : undefined,
  ].filter((name): name is string => name !== undefined);
  // On Vercel every request may land on another instance: the in-memory store would let each refresh the
  // same token, and a rotating backend revokes the family. `vercel dev` (VERCEL_ENV=development) is exempt.
  if (text("VERCEL") === "1" && text("VERCEL_ENV") !== "development" && upstashUrl === undefined && upstashToken === undefined) {
    problems.push(
      "no lock store on Vercel: connect Upstash Redis (its integration sets KV_REST_API_URL and KV_REST_API_TOKEN) or set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN; the in-memory store cannot coordinate refreshes between instances",
    );
  }
  if (named.length > 1) {
    problems.push(`more than one lock store is configured: ${named.join(" and ")}; set exactly one`);
    return { kind: "memory" };
  }
  if (clusterNodes === undefined) {
    for (const name of ["REDIS_CLUSTER_TLS", "REDIS_USERNAME", "REDIS_PASSWORD"]) {
      if (text(name) !== undefined)
        problems.push(
          `${name} is for REDIS_CLUSTER_NODES${redisUrl !== undefined ? "; with REDIS_URL, put credentials in the URL (rediss:// for TLS)" : ", which is not set"}`,
        );
    }
  }

  if (upstashUrl !== undefined || upstashToken !== undefined) {
    if (upstashUrl === undefined) problems.push("UPSTASH_REDIS_REST_TOKEN is set but UPSTASH_REDIS_REST_URL is not");
    else if (upstashToken === undefined) problems.push("UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not");
    else {
      if (!isUrl(upstashUrl, ["https:", "http:"])) problems.push(`UPSTASH_REDIS_REST_URL is not an http(s) URL: ${JSON.stringify(upstashUrl)}`);
      return { kind: "upstash", url: upstashUrl, token: upstashToken };
    }
    return { kind: "memory" };
  }
  if (redisUrl !== undefined) {
    if (isUrl(redisUrl, REDIS_URL_SCHEMES)) return { kind: "redis", url: redisUrl };
    problems.push(`REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(redactedUrl(redisUrl))}`);
    return { kind: "memory" };
  }
  if (clusterNodes !== undefined) {
    const nodes = clusterNodes
      .split(",")
      .map((node) => node.trim())
      .filter(Boolean);
    const bad = nodes.filter((node) => !validHostPort(node));
    if (nodes.length === 0 || bad.length > 0) {
      problems.push(`REDIS_CLUSTER_NODES must be comma-separated host:port seeds (e.g. 10.0.0.1:6379,10.0.0.2:6379), got ${JSON.stringify(clusterNodes)}`);
    }
    if (clusterTls !== undefined && clusterTls !== "1" && clusterTls !== "0")
      problems.push(`REDIS_CLUSTER_TLS must be 1 or 0, got ${JSON.stringify(clusterTls)}`);
    if (password === undefined && username !== undefined) problems.push("REDIS_USERNAME is set but REDIS_PASSWORD is not");
    return { kind: "redis-cluster", nodes, tls: clusterTls === "1", username, password };
  }
  return { kind: "memory" };
}

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

function isUrl(value: string, schemes: readonly string[]): boolean {
  try {
    const parsed = new URL(value);
    return schemes.includes(parsed.protocol) && parsed.hostname !== "";
  } catch {
    return false;
  }
}

function validHostPort(node: string): boolean {
  const match = HOST_PORT.exec(node);
  const port = Number(match?.[2]);
  return match !== null && port >= 1 && port <= 65535;
}
