import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startReferenceBackend, type ReferenceBackend } from "../../../../../dev/backend/server";
import { startRedisRestBridge, type RedisRestBridge } from "../../../../../dev/redis-rest/bridge";
import { testCoordinator } from "./test-support/coordinator";
import { countingStore, faultyStore, type CountingStore } from "./test-support/counting-store";
import { freePort } from "../../../../../test-support/ports";
import { connectRedis, deleteKeys, startRedis, type TestRedis } from "../../../../../test-support/redis";
import { createBackendClient, type BackendClient } from "../backend/client";
import type { BackendTokens } from "../backend/tokens";
import { parseSettings } from "../settings";
import { UNAVAILABLE_MARKER_TTL_MS, type RefreshCoordinator } from "./coordinator";
import type { LockStore } from "./lock-store";
import { createMemoryLockStore } from "../../stores/memory";
import { KEY_PREFIX } from "../../stores/redis-scripts";
import { createSealer } from "./sealing";
import { createUpstashLockStore, STORE_REST_OPTIONS } from "../../stores/upstash";
import { createUpstashRestClient } from "../../stores/upstash-rest";

const REFRESH_LATENCY_MS = 120;
const TOKEN = "local-test-token";

let backend: ReferenceBackend;
let redis: TestRedis;
let bridge: RedisRestBridge;
let client: BackendClient;

beforeAll(async () => {
  [backend, redis] = await Promise.all([
    startReferenceBackend({ port: 0, refreshLatencyMs: REFRESH_LATENCY_MS }),
    startRedis(),
  ]);
  bridge = await startRedisRestBridge({ redisUrl: redis.url, port: 0, token: TOKEN });
  client = createBackendClient({
    settings: parseSettings({ BACKEND_URL: backend.url, BACKEND_TIMEOUT_MS: "2000" }).backend,
  });
});
afterAll(async () => {
  await deleteKeys(redis.url, `${KEY_PREFIX}:`);
  await Promise.all([backend.close(), bridge.close()]);
  await redis.stop();
});
beforeEach(() => backend.resetStats());

async function login(): Promise<BackendTokens> {
  const result = await client.login("demo@example.com", "demo-password");
  if (result.kind !== "ok") throw new Error(`login failed: ${JSON.stringify(result)}`);
  return { ...result.value, accessTokenExpires: Date.now() - 1000 };
}

function coordinatorOn(store: LockStore, backendTimeoutMs = 2000): RefreshCoordinator {
  return testCoordinator({ store, backend: client, settings: { backendTimeoutMs } });
}

const stores: Array<[string, () => LockStore]> = [
  ["in-memory store", () => createMemoryLockStore()],
  [
    "Upstash store over the REST bridge to a real Redis",
    () => createUpstashLockStore(createUpstashRestClient({ url: bridge.url, token: TOKEN }, STORE_REST_OPTIONS)),
  ],
];

describe.each(stores)("refresh coordinator on the %s", (_label, makeStore) => {
  let store: CountingStore;
  beforeEach(() => {
    store = countingStore(makeStore());
  });

  it("collapses 50 concurrent refreshes in one isolate into one backend call and one store conversation", async () => {
    const coordinator = coordinatorOn(store);
    const session = await login();
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => coordinator.refresh(session)));
    expect(backend.stats().refreshAttempts).toBe(1);
    expect(outcomes.filter((o) => o.kind === "refreshed")).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === "joined")).toHaveLength(49);
    const successors = new Set(outcomes.map((o) => ("tokens" in o ? o.tokens.refreshToken : "none")));
    expect(successors.size).toBe(1);
    expect(successors.has(session.refreshToken)).toBe(false);
    // The leader: one claim, one settle. Single-flight means the 49 others cost nothing.
    expect(store.counts).toEqual({ claim: 1, settle: 1, release: 0, forget: 0 });
    expect(coordinator.inFlight()).toBe(0);
  });

  it("collapses refreshes across isolates (separate coordinators, one store) into one backend call", async () => {
    const isolates = Array.from({ length: 4 }, () => coordinatorOn(store));
    const session = await login();
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => isolates[i % 4]!.refresh(session)));
    expect(backend.stats()).toMatchObject({ refreshAttempts: 1, reuseDetections: 0 });
    expect(outcomes.filter((o) => o.kind === "refreshed")).toHaveLength(1);
    expect(outcomes.map((o) => o.kind).filter((kind) => kind !== "refreshed" && kind !== "joined")).toEqual([]);
    expect(new Set(outcomes.map((o) => ("tokens" in o ? o.tokens.refreshToken : "none"))).size).toBe(1);
  });

  it("replays the successor to a late request within the grace window, without a backend call", async () => {
    const session = await login();
    const first = await coordinatorOn(store).refresh(session);
    const late = await coordinatorOn(store).refresh(session);
    expect(late.kind).toBe("replayed");
    expect(late).toMatchObject({
      tokens: { refreshToken: "tokens" in first ? first.tokens.refreshToken : "first refresh failed" },
    });
    expect(backend.stats().refreshAttempts).toBe(1);
  });

  it("follows a chain of successors forward from an old refresh token", async () => {
    const coordinator = coordinatorOn(store);
    const original = await login();
    const first = await coordinator.refresh(original);
    if (!("tokens" in first)) throw new Error("first refresh failed");
    // The successor's own access token runs out and is refreshed in turn.
    const second = await coordinator.refresh({ ...first.tokens, accessTokenExpires: Date.now() - 1 });
    if (!("tokens" in second)) throw new Error("second refresh failed");
    // Pretend the stored first successor has expired too: an old tab must reach the newest tokens.
    const sealer = createSealer();
    const keys = await sealer.keysFor(original.refreshToken);
    await store.settle(
      keys,
      "nobody",
      await sealer.seal(keys, { kind: "refreshed", tokens: { ...first.tokens, accessTokenExpires: Date.now() - 1 } }),
      30_000,
    );
    const late = await coordinatorOn(store).refresh(original);
    expect(late.kind).toBe("replayed");
    expect("tokens" in late && late.tokens.refreshToken).toBe(second.tokens.refreshToken);
    expect(backend.stats()).toMatchObject({ refreshAttempts: 2, reuseDetections: 0 });
  });

  it("remembers a refusal so waiters fail fast instead of replaying a dead token", async () => {
    const session = await login();
    await client.refresh(session.refreshToken); // consumed behind the app's back: the next use is a reuse
    backend.resetStats();
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => coordinatorOn(store).refresh(session)));
    expect(new Set(outcomes.map((o) => o.kind))).toEqual(new Set(["rejected"]));
    expect(backend.stats().refreshAttempts).toBe(1);
    const later = await coordinatorOn(store).refresh(session);
    expect(later.kind).toBe("rejected");
    expect(backend.stats().refreshAttempts).toBe(1);
  });

  it("on a backend outage others back off for a moment, then the next request tries again", async () => {
    const session = await login();
    backend.setOptions({ failMode: "down" });
    try {
      const outcome = await coordinatorOn(store).refresh(session);
      expect(outcome).toMatchObject({ kind: "unavailable", retryAfterSeconds: expect.any(Number) });
      // The leader stored "unavailable" and freed its lock in one settle: others answer at once, no backend call.
      expect(store.counts).toMatchObject({ claim: 1, settle: 1 });
      const others = await Promise.all(Array.from({ length: 3 }, () => coordinatorOn(store).refresh(session)));
      expect(new Set(others.map((o) => o.kind))).toEqual(new Set(["unavailable"]));
      expect(backend.stats().refreshAttempts).toBe(1);
    } finally {
      backend.setOptions({ failMode: "none" });
    }
    // Wait for the event itself, the back-off marker's expiry in the store: until then every ask is answered
    // "unavailable" from the marker, without a backend call; the first after it leads the retry.
    await expect
      .poll(async () => (await coordinatorOn(store).refresh(session)).kind, {
        interval: 100,
        timeout: UNAVAILABLE_MARKER_TTL_MS * 3,
      })
      .toBe("refreshed");
    expect(backend.stats()).toMatchObject({ refreshAttempts: 2, reuseDetections: 0 });
  });

  it("a claim that times out while another request leads never calls the backend itself", async () => {
    const session = await login();
    const leader = coordinatorOn(store);
    const overloaded = coordinatorOn(faultyStore(store, (n) => (n === 1 ? "timeout" : "pass")));
    const leading = leader.refresh(session);
    // Wait for the event, not a duration: the leader holds the lock and is at the backend.
    await expect.poll(() => backend.stats().inFlightRefreshes, { interval: 2 }).toBe(1);
    const [led, waited] = await Promise.all([leading, overloaded.refresh(session)]);
    expect(led.kind).toBe("refreshed");
    expect(waited.kind).toBe("joined");
    expect(backend.stats()).toMatchObject({ refreshAttempts: 1, reuseDetections: 0, familiesRevoked: 0 });
  });

  it("a claim whose answer was lost after it took the lock leads at once on the next ask", async () => {
    const session = await login();
    const coordinator = coordinatorOn(faultyStore(store, (n) => (n === 1 ? "lost" : "pass")));
    const outcome = await coordinator.refresh(session);
    expect(outcome.kind).toBe("refreshed");
    // Exactly two claims, the lost one and the re-entrant one, then the settle: it did not sit polling
    // its own lock until it expired.
    expect(store.counts).toMatchObject({ claim: 2, settle: 1 });
    expect(backend.stats().refreshAttempts).toBe(1);
  });

  it("a store that never answers in time yields unavailable after the wait limit, and no backend call", async () => {
    const session = await login();
    const coordinator = coordinatorOn(
      faultyStore(store, () => "timeout"),
      100,
    );
    expect(await coordinator.refresh(session)).toMatchObject({ kind: "unavailable" });
    expect(backend.stats().refreshAttempts).toBe(0);
  });

  it("a store that refuses outright: a rotating backend is not called without the lock, the session is kept", async () => {
    const session = await login();
    const coordinator = coordinatorOn(faultyStore(store, () => "refused"));
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => coordinator.refresh(session)));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(5).fill("unavailable"));
    expect(backend.stats().refreshAttempts).toBe(0);
  });

  it("a store that refuses outright: where an unlocked refresh is safe, this isolate's single-flight serves", async () => {
    const session = await login();
    const coordinator = testCoordinator({
      store: faultyStore(store, () => "refused"),
      backend: client,
      settings: { unlockedWhenStoreFails: true },
    });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => coordinator.refresh(session)));
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["joined", "joined", "joined", "joined", "refreshed"]);
    expect(backend.stats().refreshAttempts).toBe(1);
  });

  it("takes over when the leader vanished (lock expired, no successor)", async () => {
    const session = await login();
    const keys = await createSealer().keysFor(session.refreshToken);
    expect(await store.claim(keys, "a-leader-that-dies", 300)).toEqual({ kind: "leader" });
    store.reset();
    const outcome = await coordinatorOn(store).refresh(session);
    expect(outcome.kind).toBe("refreshed");
    // It found the dead leader's lock first (busy), asked again until it expired, then led once.
    expect(store.counts.claim).toBeGreaterThanOrEqual(2);
    expect(store.counts.settle).toBe(1);
    expect(backend.stats().refreshAttempts).toBe(1);
  });
});

describe("Upstash store specifics", () => {
  it("keeps no token in Redis: keys are derived, values are sealed", async () => {
    const store = createUpstashLockStore(
      createUpstashRestClient({ url: bridge.url, token: TOKEN }, STORE_REST_OPTIONS),
    );
    const session = await login();
    const outcome = await coordinatorOn(store).refresh(session);
    if (!("tokens" in outcome)) throw new Error("refresh failed");
    const direct = await connectRedis(redis.url);
    try {
      const keys = await direct.sendCommand<string[]>(["KEYS", `${KEY_PREFIX}:*`]);
      expect(keys.length).toBeGreaterThan(0);
      for (const name of keys) {
        const value = String(await direct.sendCommand(["GET", name]));
        for (const secret of [
          session.refreshToken,
          session.accessToken,
          outcome.tokens.refreshToken,
          outcome.tokens.accessToken,
        ]) {
          expect(name).not.toContain(secret);
          expect(value).not.toContain(secret);
        }
      }
    } finally {
      await direct.close();
    }
  });

  it("a refresh costs the leader two Redis round trips (claim + settle), measured at the bridge", async () => {
    const store = createUpstashLockStore(
      createUpstashRestClient({ url: bridge.url, token: TOKEN }, STORE_REST_OPTIONS),
    );
    await coordinatorOn(store).refresh(await login()); // loads the scripts
    const session = await login();
    bridge.resetStats();
    await coordinatorOn(store).refresh(session);
    expect(bridge.stats().commands).toBe(2);
    expect(bridge.stats().byCommand.EVALSHA).toBe(2);
  });

  it("an unreachable store: a rotating backend is left alone, the session kept, and the failure logged", async () => {
    const dead = createUpstashLockStore(
      createUpstashRestClient({ url: `http://127.0.0.1:${await freePort()}`, token: TOKEN }, STORE_REST_OPTIONS),
    );
    const coordinator = testCoordinator({ store: dead, backend: client });
    const session = await login();
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => coordinator.refresh(session)));
    expect(outcomes.map((o) => o.kind)).toEqual(Array(10).fill("unavailable"));
    expect(backend.stats().refreshAttempts).toBe(0);
    expect(coordinator.events).toContainEqual(
      expect.objectContaining({ event: "store-failed", code: "STORE_UNREACHABLE", action: "unavailable" }),
    );
  });

  it("a value planted under a token's key by someone without that token is not trusted", async () => {
    const store = createMemoryLockStore();
    const session = await login();
    const sealer = createSealer();
    const keys = await sealer.keysFor(session.refreshToken);
    const strangers = await sealer.keysFor("a-token-the-attacker-has");
    const forged = await sealer.seal(
      { ...strangers, successor: keys.successor },
      {
        kind: "refreshed",
        tokens: { accessToken: "x", refreshToken: "planted", accessTokenExpires: Date.now() + 60_000 },
      },
    );
    await store.settle(keys, "nobody", forged, 30_000);
    const coordinator = coordinatorOn(store);
    const outcome = await coordinator.refresh(session);
    expect(outcome.kind).toBe("unavailable");
    expect(backend.stats().refreshAttempts).toBe(0);
  });
});
