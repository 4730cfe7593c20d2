/**
 * The TCP Redis stores (src/stores-node, node-redis) for the session runtime, on the Node runtime only.
 * Next replaces `process.env.NEXT_RUNTIME` at build time, so the edge bundle's copy of this branch is dead
 * and its dynamic import is never followed: the edge middleware never contains node-redis. On the edge the
 * core's own entries answer a REDIS_* setting with a configuration error (Node runtime or Upstash).
 */
import { deferredLockStore, LOCK_STORES, type LockStoreTable } from "../core";

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
