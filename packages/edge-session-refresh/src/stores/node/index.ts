/**
 * `edge-session-refresh/stores/node`: the Node-only lock stores, node-redis over TCP (`npm install redis`,
 * an optional peer). Nothing the edge middleware loads imports this file: the Node adapter loads it lazily
 * (src/next/node-stores.ts) and hands NODE_TCP_REDIS to createSessionRuntime as `tcpRedis`.
 */
export {
  NODE_TCP_REDIS,
  classifyRedisError,
  createRedisTcpLockStore,
  createOwnRedisTcpLockStore,
} from "./redis-tcp-store";
export {
  createRedisConnection,
  redisConnectionFor,
  REDIS_COMMAND_TIMEOUT_MS,
  REDIS_CONNECT_TIMEOUT_MS,
  RECONNECT_MAX_DELAY_MS,
  type RedisConnection,
  type RedisSettings,
} from "./redis-connection";
