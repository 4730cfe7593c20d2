/**
 * The TCP Redis stores (src/stores-node, node-redis) for the session runtime, on the Node runtime only.
 * Next replaces `process.env.NEXT_RUNTIME` at build time, so the edge bundle's copy of this branch is dead
 * and its dynamic import is never followed: the edge middleware never contains node-redis. On the edge the
 * core's own entries answer a REDIS_* setting with a configuration error (Node runtime or Upstash).
 */
import { deferredLockStore } from "../core/refresh/deferred-store";
import { LOCK_STORES, type LockStoreTable } from "../core/refresh/stores";
import type { StoreSettings } from "../core/refresh/store-settings";
import type { SignInScriptClient } from "../core/signin/redis-limiter";

export function nodeOnlyLockStores(): Partial<LockStoreTable> | undefined {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const nodeStores = () => import("../stores-node").then((module) => module.NODE_LOCK_STORES);
    return {
      redis: { ...LOCK_STORES.redis, create: (settings, context) => deferredLockStore(nodeStores().then((stores) => stores.redis.create(settings, context))) },
      "redis-cluster": {
        ...LOCK_STORES["redis-cluster"],
        create: (settings, context) => deferredLockStore(nodeStores().then((stores) => stores["redis-cluster"].create(settings, context))),
      },
    };
  }
  return undefined;
}

/**
 * The sign-in limiters' script client on the lock store's own connection (one per process, the same
 * settings give the same connection): REDIS_URL / REDIS_CLUSTER_NODES serve the sign-in limits too. Only on
 * the Node runtime, behind the same deferred import as the lock stores; elsewhere undefined.
 */
export function nodeOnlySignInScripts(store: StoreSettings): SignInScriptClient | undefined {
  if (process.env.NEXT_RUNTIME === "nodejs" && (store.kind === "redis" || store.kind === "redis-cluster")) {
    const connection = import("../stores-node").then((module) => module.redisConnectionFor(store));
    // evaluate() runs EVALSHA and falls back to EVAL itself, so the limiter needs no evalsha of its own.
    return { eval: async (script, keys, args) => (await connection).evaluate(script, keys, args) };
  }
  return undefined;
}
