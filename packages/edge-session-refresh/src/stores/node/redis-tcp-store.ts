/**
 * The lock store on your own Redis over TCP (node-redis): a standalone server or Valkey (`REDIS_URL`), or a
 * Redis Cluster such as cluster-mode ElastiCache (`REDIS_CLUSTER_NODES`). Node runtime only. The scripts
 * and keys are the shared ones (../redis-scripts.ts); this file picks the layouts and tells node-redis's failures
 * apart as STORE_* codes, which the coordinator decides on exactly as it does for Upstash.
 */
import { ErrorReply, MaxCommandRedirectionsError, TimeoutError as RedisCommandTimeout } from "redis";
import type { SessionErrorCode } from "../../core/errors";
import type { LockStore } from "../../core/refresh/lock-store";
import type { TcpRedis } from "../entry";
import { createRedisLockStore } from "../redis-lock-store";
import {
  createRedisConnection,
  REDIS_COMMAND_TIMEOUT_MS,
  redisConnectionFor,
  type RedisConnection,
  type RedisSettings,
} from "./redis-connection";

/**
 * A standalone server may be shared with instances of a release before the v3 key layout, so it keeps the
 * v2 layout in step (docs/DEPLOYING.md); a cluster never had v2, and its calls must stay in one slot.
 */
export function createRedisTcpLockStore(connection: RedisConnection, kind: RedisSettings["kind"]): LockStore {
  return createRedisLockStore({
    runner: connection,
    classify: classifyRedisError,
    cluster: kind === "redis-cluster",
    timeoutMs: REDIS_COMMAND_TIMEOUT_MS,
  });
}

/** A store with a connection of its own (tests); the table's entries share the process's one. */
export function createOwnRedisTcpLockStore(settings: RedisSettings): { store: LockStore; connection: RedisConnection } {
  const connection = createRedisConnection(settings);
  return { store: createRedisTcpLockStore(connection, settings.kind), connection };
}

/** Server replies that mean "not now" while a failover or a cluster change is under way: nothing ran. */
const UNAVAILABLE_REPLIES = /^(READONLY|LOADING|CLUSTERDOWN|MASTERDOWN|TRYAGAIN|MOVED|ASK|BUSY|OOM)\b/;
const AUTH_REPLIES = /^(WRONGPASS|NOAUTH|NOPERM)\b/;
/**
 * Which failure a node-redis error is. Error replies carry Redis's own first word; connection trouble is a
 * client error class, a system error code (ECONNREFUSED, ENOTFOUND) or the connection's own deadline.
 * A command past its deadline may have run: STORE_TIMEOUT, which the coordinator treats as "maybe ours".
 */
export function classifyRedisError(error: unknown): SessionErrorCode {
  const chain: Error[] = [];
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++)
    chain.push(cause);
  const reply = chain.find((e) => e instanceof ErrorReply);
  if (reply !== undefined) {
    if (AUTH_REPLIES.test(reply.message)) return "STORE_UNAUTHORIZED";
    if (UNAVAILABLE_REPLIES.test(reply.message)) return "STORE_SERVER_ERROR";
    return "STORE_PROTOCOL"; // CROSSSLOT, a script error, an unknown command: a healthy server refusing us
  }
  if (chain.some((e) => e.name === "TimeoutError" || e instanceof RedisCommandTimeout)) return "STORE_TIMEOUT";
  if (chain.some((e) => e instanceof MaxCommandRedirectionsError)) return "STORE_SERVER_ERROR";
  // Everything else is the connection: refused, reset, unknown host, node-redis's ClientOfflineError
  // (no offline queue), SocketClosedUnexpectedlyError, ConnectionTimeoutError, a closed client.
  return "STORE_UNREACHABLE";
}

/**
 * The TCP driver the table's `redis` and `redis-cluster` entries build with (StoreContext.tcpRedis): the
 * process's one connection per settings, for the lock store and the sign-in limits alike.
 */
export const NODE_TCP_REDIS: TcpRedis = {
  lockStore: (settings) => createRedisTcpLockStore(redisConnectionFor(settings), settings.kind),
  // evaluate() runs EVALSHA and falls back to EVAL itself, so the limiter needs no evalsha of its own.
  scripts: (settings) => {
    const connection = redisConnectionFor(settings);
    return { eval: (script, keys, args) => connection.evaluate(script, keys, args) };
  },
};
