/**
 * The Node-only lock stores' entry point: node-redis over TCP. Nothing in src/core or the edge middleware
 * imports this file; the Node adapter loads it (src/next/node-stores.ts) and passes its table entries to
 * createSessionRuntime as `deps.stores`.
 */
export { NODE_LOCK_STORES, classifyRedisError, createRedisTcpLockStore, createOwnRedisTcpLockStore } from "./redis-tcp-store";
export {
  createRedisConnection,
  redisConnectionFor,
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_CONNECT_TIMEOUT_MS,
  RECONNECT_MAX_DELAY_MS,
  type RedisConnection,
  type RedisSettings,
} from "./redis-connection";
