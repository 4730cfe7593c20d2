/**
 * The lock-store contract (contract.ts, the suite `edge-session-refresh/stores` ships) on the stores the core builds itself: the
 * in-memory store, and the Upstash store against a real Redis behind the REST bridge. The TCP stores run
 * the same suite in node/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisRestBridge, type RedisRestBridge } from "../../../../dev/redis-rest/bridge";
import { manualClock } from "../core/refresh/test-support/coordinator";
import { redisKeysWithTtl } from "../../../../test-support/redis-keys";
import { freePort } from "../../../../test-support/ports";
import { deleteKeys, startRedis, type TestRedis } from "../../../../test-support/redis";
import { lockStoreContract } from "./contract";
import { createMemoryLockStore } from "./memory";
import { createUpstashLockStore, STORE_REST_OPTIONS } from "./upstash";
import { createUpstashClient } from "./upstash-client";
import { createUpstashRestClient } from "./upstash-rest";

const TOKEN = "contract-test-token";
let redis: TestRedis;
let bridge: RedisRestBridge;
let deadUrl: string;

beforeAll(async () => {
  redis = await startRedis();
  bridge = await startRedisRestBridge({ redisUrl: redis.url, port: 0, token: TOKEN });
  deadUrl = `http://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await bridge.close();
  await deleteKeys(redis.url, "esr:");
  await redis.stop();
});

const clock = manualClock();
const memory = createMemoryLockStore({ clock });
lockStoreContract(
  "in-memory store",
  () => ({ store: () => memory, advance: (ms) => clock.advance(ms), size: () => memory.size() }),
  { describe, it, expect },
);

// What the table builds: the package's own REST transport.
lockStoreContract(
  "Upstash store over the REST bridge to a real Redis",
  () => ({
    store: () => createUpstashLockStore(createUpstashRestClient({ url: bridge.url, token: TOKEN }, STORE_REST_OPTIONS)),
    keysWithTtl: (ids) => redisKeysWithTtl([redis.url], ids),
    unreachable: () =>
      createUpstashLockStore(createUpstashRestClient({ url: deadUrl, token: TOKEN }, STORE_REST_OPTIONS)),
  }),
  { describe, it, expect },
);

// The same store on @upstash/redis's client, which store authors may still hand it.
lockStoreContract(
  "Upstash store on @upstash/redis over the REST bridge to a real Redis",
  () => ({
    store: () => createUpstashLockStore(createUpstashClient({ url: bridge.url, token: TOKEN })),
    keysWithTtl: (ids) => redisKeysWithTtl([redis.url], ids),
    unreachable: () => createUpstashLockStore(createUpstashClient({ url: deadUrl, token: TOKEN })),
  }),
  { describe, it, expect },
);
