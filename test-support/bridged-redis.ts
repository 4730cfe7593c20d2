/**
 * A real Redis behind the Upstash-REST bridge for the tests of one file that drive @upstash/* clients and the
 * bridge's injected faults: started before the file's tests, the fault cleared after each test (a test that
 * fails midway must not leave the next one facing a dead store), and the keys the file wrote deleted before
 * both stop (REDIS_URL may be a shared server).
 */
import { afterAll, afterEach, beforeAll } from "vitest";
import { startRedisRestBridge, type RedisRestBridge } from "../dev/redis-rest/bridge";
import { deleteKeys, startRedis, type TestRedis } from "./redis";

export interface BridgedRedis {
  /** Available once the file's `beforeAll` ran. */
  readonly redis: TestRedis;
  readonly bridge: RedisRestBridge;
}

/** Call at a file's top level; `keyPrefix` is the prefix (without its `:`) of every key the file's code writes. */
export function bridgedRedisForFile(options: { token: string; keyPrefix: string }): BridgedRedis {
  let redis: TestRedis | undefined;
  let bridge: RedisRestBridge | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    bridge = await startRedisRestBridge({ redisUrl: redis.url, port: 0, token: options.token });
  });
  afterEach(() => bridge?.setFault("none"));
  afterAll(async () => {
    await bridge?.close();
    if (redis) await deleteKeys(redis.url, `${options.keyPrefix}:`);
    await redis?.stop();
  });
  return {
    get redis() {
      if (!redis) throw new Error("the Redis of bridgedRedisForFile is started in beforeAll: use it in a test");
      return redis;
    },
    get bridge() {
      if (!bridge) throw new Error("the bridge of bridgedRedisForFile is started in beforeAll: use it in a test");
      return bridge;
    },
  };
}
