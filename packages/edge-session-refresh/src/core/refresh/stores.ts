/**
 * The lock stores as a table: a store is one file plus one line here. The settings name a kind
 * (store-settings.ts); its entry builds the store, says whether other instances share it, whether a refresh
 * may go ahead without the lock when it fails, and the sentence that tells an operator which store runs.
 *
 * Stores that cannot run everywhere (node-redis needs TCP sockets) have an entry here that refuses to build
 * with a clear configuration error; the runtime that can run them passes its own entry in (`outside`), as
 * the Node adapter does from src/stores-node. So the edge bundle never reaches a TCP client.
 */
import type { Clock } from "../clock";
import { configInvalid } from "../errors";
import type { LockStore } from "./lock-store";
import { createMemoryLockStore } from "./memory-store";
import { redactedUrl, type StoreKind, type StoreSettings } from "./store-settings";
import { createUpstashClient, createUpstashLockStore } from "./upstash-store";

export interface StoreContext {
  readonly clock: Clock;
  /** NODE_ENV is production. */
  readonly production: boolean;
}

export interface LockStoreEntry<S extends StoreSettings = StoreSettings> {
  /** Builds the store, once per isolate; throws SessionError("CONFIG_INVALID") when it cannot run here. */
  create(settings: S, context: StoreContext): LockStore;
  /** Other instances see the same locks and successors (false: this isolate's requests only). */
  readonly shared: boolean;
  /**
   * When the store fails, may a refresh go ahead without the lock? Only for a store nobody else shares: if
   * it fails, no other instance can be leading. A shared store's outage is answered with 503 instead
   * (for a rotating backend; the runtime lets non-rotating backends refresh unlocked whatever the store).
   */
  readonly unlockedWhenStoreFails: boolean;
  /** One line for the start-up log: which store, and what that means. */
  describe(settings: S, production: boolean): string;
}

export type LockStoreTable = { readonly [K in StoreKind]: LockStoreEntry<Extract<StoreSettings, { kind: K }>> };

const SHARE_IT =
  "set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL/KV_REST_API_TOKEN), or on the Node runtime REDIS_URL or REDIS_CLUSTER_NODES, to share it between instances.";

/** An entry for a store only the Node runtime can build: here it is a configuration error saying so. */
function nodeOnly<K extends "redis" | "redis-cluster">(setting: string, describe: LockStoreEntry<Extract<StoreSettings, { kind: K }>>["describe"]) {
  return {
    create() {
      throw configInvalid([
        {
          setting,
          message:
            `${setting} needs the Node runtime (Next's proxy.ts, \`npm run runtime:node\`, and the Node route handlers); ` +
            "the edge runtime cannot open TCP connections: on the edge use Upstash (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)",
        },
      ]);
    },
    shared: true,
    unlockedWhenStoreFails: false,
    describe,
  } satisfies LockStoreEntry<Extract<StoreSettings, { kind: K }>>;
}

export const LOCK_STORES = {
  memory: {
    create: (_settings, { clock }) => createMemoryLockStore({ clock }),
    shared: false,
    unlockedWhenStoreFails: true,
    describe: (_settings, production) =>
      (production
        ? "[session] WARNING: running in production with the in-memory lock store. With more than one instance, each refreshes the same token and a rotating backend signs users out. "
        : "[session] lock store: in-memory. ") +
      "It coordinates refreshes within this one instance only; " +
      SHARE_IT,
  },
  upstash: {
    create: (settings) => createUpstashLockStore(createUpstashClient(settings)),
    shared: true,
    unlockedWhenStoreFails: false,
    describe: (settings) => `[session] lock store: Upstash REST at ${new URL(settings.url).origin}`,
  },
  redis: nodeOnly<"redis">("REDIS_URL", (settings) => `[session] lock store: Redis over TCP at ${redactedUrl(settings.url)}`),
  "redis-cluster": nodeOnly<"redis-cluster">(
    "REDIS_CLUSTER_NODES",
    (settings) => `[session] lock store: Redis Cluster (seeds ${settings.nodes.join(", ")}${settings.tls ? ", TLS" : ""})`,
  ),
} satisfies LockStoreTable;

export interface ChosenStore {
  readonly store: LockStore;
  /** Shared between instances, or only this isolate's. */
  readonly shared: boolean;
  readonly unlockedWhenStoreFails: boolean;
  readonly description: string;
}

/** The table entry for the settings' kind: an outside entry (a runtime's own, a custom store) wins. */
export function lockStoreEntry<K extends StoreKind>(kind: K, outside: Partial<LockStoreTable> = {}): LockStoreTable[K] {
  return (outside[kind] ?? LOCK_STORES[kind]) as LockStoreTable[K];
}

/** Builds the store the settings name; `outside` entries replace or add to the built-in ones. */
export function lockStoreFor(settings: StoreSettings, clock: Clock, production = false, outside: Partial<LockStoreTable> = {}): ChosenStore {
  const entry = lockStoreEntry(settings.kind, outside) as LockStoreEntry;
  return {
    store: entry.create(settings, { clock, production }),
    shared: entry.shared,
    unlockedWhenStoreFails: entry.unlockedWhenStoreFails,
    description: entry.describe(settings, production),
  };
}
