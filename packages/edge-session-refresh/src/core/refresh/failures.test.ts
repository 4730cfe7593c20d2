/**
 * The coordinator when its dependencies misbehave: a store or backend that never answers, a settle that
 * fails, a pile of dead cookies, a backend outage under a crowd, and the sign-out that must leave nothing
 * for a copied cookie to pick up. Each bound here is a count of calls, never a duration.
 */
import { describe, expect, it } from "vitest";
import { manualClock, testCoordinator } from "./test-support/coordinator";
import { countingStore } from "./test-support/counting-store";
import { policyBackend } from "./test-support/policy-backend";
import type { BackendTokens } from "../backend/tokens";
import { SessionError } from "../errors";
import type { LockStore } from "./lock-store";
import { createMemoryLockStore } from "../../stores/memory";

const never = <T>() => new Promise<T>(() => {});

describe("no request waits past the wait limit", () => {
  const backendTimeoutMs = 100; // wait limit = 100 + 2000 (lock margin) + 1000 = 3.1 s of real time

  it("a store whose claim never settles: unavailable, and the single-flight entry is cleared", async () => {
    const stuck: LockStore = { ...createMemoryLockStore(), claim: () => never() };
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "rotate", accessTtlMs: 5_000 });
    const coordinator = testCoordinator({ store: stuck, backend, settings: { backendTimeoutMs } });
    const session = backend.login();
    const outcomes = await Promise.all([coordinator.refresh(session), coordinator.refresh(session)]);
    expect(outcomes.map((o) => o.kind)).toEqual(["unavailable", "unavailable"]);
    expect(coordinator.inFlight()).toBe(0);
    expect(backend.stats.calls).toBe(0);
  });

  it("a backend call that never settles (a client without a timeout): unavailable, entry cleared", async () => {
    const coordinator = testCoordinator({
      store: createMemoryLockStore(),
      backend: { refresh: () => never() },
      settings: { backendTimeoutMs },
    });
    const session = { accessToken: "a", refreshToken: "r", accessTokenExpires: Date.now() - 1 };
    expect(await coordinator.refresh(session)).toMatchObject({ kind: "unavailable" });
    expect(coordinator.inFlight()).toBe(0);
  });
});

describe("storing the outcome", () => {
  it("a settle that fails is retried, so a late request elsewhere replays instead of reusing a consumed token", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "rotate", accessTtlMs: 60_000 });
    const inner = createMemoryLockStore({ clock });
    let failures = 2;
    const flaky: LockStore = {
      ...inner,
      claim: inner.claim,
      settle: async (...args) => {
        if (failures-- > 0) throw new SessionError("STORE_SERVER_ERROR", "injected 502");
        return inner.settle(...args);
      },
    };
    const session = { ...backend.login(), accessTokenExpires: clock.now() - 1 };
    expect(await testCoordinator({ store: flaky, backend, clock }).refresh(session)).toMatchObject({
      kind: "refreshed",
    });
    expect(await testCoordinator({ store: flaky, backend, clock }).refresh(session)).toMatchObject({
      kind: "replayed",
    });
    expect(backend.stats).toMatchObject({ calls: 1, reuseDetections: 0 });
  });

  it("a settle that fails until the store is back is stored in the background while the lock holds: a late request elsewhere gets the same tokens", async () => {
    // A store that restarts (failover, a primary with AOF) after the backend rotated: without the successor
    // stored, the next request holding the old cookie would lead once the lock expired and be refused as reuse.
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "rotate", accessTtlMs: 60_000 });
    const inner = createMemoryLockStore({ clock });
    let failures = 5;
    const restarting: LockStore = {
      ...inner,
      claim: inner.claim,
      settle: async (...args) => {
        if (failures-- > 0) throw new SessionError("STORE_UNREACHABLE", "injected: the store is restarting");
        return inner.settle(...args);
      },
    };
    const leader = testCoordinator({ store: restarting, backend, clock });
    const session = { ...backend.login(), accessTokenExpires: clock.now() - 1 };
    const led = await leader.refresh(session);
    expect(led).toMatchObject({ kind: "refreshed" });
    expect(leader.events).toContainEqual(expect.objectContaining({ event: "settle-failed", attempts: 3 }));
    // It finds the leader's lock still held, waits, and takes the successor the background settle stored.
    const late = await testCoordinator({ store: restarting, backend, clock }).refresh(session);
    expect(late).toEqual({ kind: "joined", tokens: "tokens" in led ? led.tokens : null });
    expect(leader.events).toContainEqual(expect.objectContaining({ event: "settle-recovered" }));
    expect(backend.stats).toMatchObject({ calls: 1, reuseDetections: 0 });
  });

  it("a settle that keeps failing is reported, and this isolate's requests still get the new tokens", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "rotate", accessTtlMs: 60_000 });
    const inner = createMemoryLockStore({ clock });
    const broken: LockStore = {
      ...inner,
      claim: inner.claim,
      settle: async () => Promise.reject(new SessionError("STORE_UNREACHABLE", "injected")),
    };
    const coordinator = testCoordinator({ store: broken, backend, clock });
    const session = { ...backend.login(), accessTokenExpires: clock.now() - 1 };
    const outcomes = await Promise.all(Array.from({ length: 4 }, () => coordinator.refresh(session)));
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["joined", "joined", "joined", "refreshed"]);
    expect(coordinator.events).toContainEqual(expect.objectContaining({ event: "settle-failed", attempts: 3 }));
  });
});

describe("dead cookies and outages cost little", () => {
  it("a refused refresh token is remembered in the isolate: later requests make no store or backend call", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "rotate", accessTtlMs: 60_000 });
    const store = countingStore(createMemoryLockStore({ clock }));
    const coordinator = testCoordinator({ store, backend, clock });
    const dead: BackendTokens = { accessToken: "a", refreshToken: "never-issued", accessTokenExpires: clock.now() - 1 };
    expect(await coordinator.refresh(dead)).toMatchObject({ kind: "rejected" });
    const before = store.total();
    const later = await Promise.all(Array.from({ length: 100 }, () => coordinator.refresh(dead)));
    expect(new Set(later.map((o) => o.kind))).toEqual(new Set(["rejected"]));
    expect(store.total() - before).toBe(0);
    expect(backend.stats.calls).toBe(1);
  });

  it("a backend outage under a crowd: one call per retry window, not one per request or isolate", async () => {
    // A little real time before each jump of the test clock: 750 flights seal with real Web Crypto, and on a
    // busy machine a leader still sealing its "unavailable" marker must not see the clock run past it (the
    // marker then expires early in test time, and the count measures the clock, not the coordinator).
    const clock = manualClock(undefined, 25);
    let calls = 0;
    const store = createMemoryLockStore({ clock });
    const backend = {
      refresh: async () => (
        calls++,
        { kind: "unavailable" as const, reason: "status" as const, status: 503, detail: "503" }
      ),
    };
    const isolates = Array.from({ length: 3 }, () => testCoordinator({ store, backend, clock }));
    const users = Array.from({ length: 50 }, (_, i) => ({
      accessToken: `a${i}`,
      refreshToken: `r${i}`,
      accessTokenExpires: clock.now() - 1,
    }));
    // 10 s of outage, every user's 5 tabs asking every 500 ms across 3 isolates.
    for (let t = 0; t < 10_000; t += 500) {
      const answers = await Promise.all(
        users.flatMap((user) => Array.from({ length: 5 }, (_, tab) => isolates[tab % 3]!.refresh(user))),
      );
      expect(new Set(answers.map((o) => o.kind))).toEqual(new Set(["unavailable"]));
      await clock.sleep(500);
    }
    // With the 2 s "unavailable" marker: about 10 s / 2 s calls per user. Without it, one per request: 5000.
    expect(calls).toBeLessThanOrEqual(50 * 6);
    console.log(
      `[figure] backend calls in a 10 s outage, 50 users x 5 tabs x 3 isolates, a request every 500 ms: ${calls} (one per request would be ${50 * 5 * 20})`,
    );
  });
});

describe("sign-out", () => {
  it("revokes at the backend and leaves nothing in the store for a copied older cookie", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "rotate", accessTtlMs: 5_000 });
    const store = createMemoryLockStore({ clock });
    const coordinator = testCoordinator({ store, backend, clock });
    const t0 = backend.login();
    clock.advance(6_000);
    const first = await coordinator.refresh(t0);
    if (!("tokens" in first)) throw new Error("no tokens");
    clock.advance(6_000);
    const second = await coordinator.refresh(first.tokens);
    if (!("tokens" in second)) throw new Error("no tokens");

    expect(await coordinator.signOut(second.tokens.refreshToken)).toEqual({ revoked: "revoked", chainForgotten: 2 });
    expect(backend.stats.revocations).toBe(1);

    // Copies of the cookie at any point of its life, replayed from another isolate as an attacker would.
    const attacker = testCoordinator({ store, backend, clock });
    for (const copy of [t0, first.tokens, second.tokens]) {
      expect(await attacker.refresh({ ...copy, accessTokenExpires: clock.now() - 1 })).toMatchObject({
        kind: "rejected",
      });
    }
    // The newest token's refusal came from the store, not a backend call; the older ones' from the backend.
    expect(backend.stats.calls).toBe(2 + 2);
  });

  it("a failed revocation still ends the session here and is reported", async () => {
    const clock = manualClock();
    const store = createMemoryLockStore({ clock });
    const coordinator = testCoordinator({
      store,
      clock,
      backend: {
        refresh: async () => ({
          kind: "ok",
          value: { accessToken: "x", refreshToken: "y", accessTokenExpires: clock.now() + 60_000 },
        }),
        revoke: async () => ({ kind: "unavailable", reason: "network", detail: "down" }),
      },
    });
    expect(await coordinator.signOut("r1")).toMatchObject({ revoked: "failed" });
    expect(
      await coordinator.refresh({ accessToken: "a", refreshToken: "r1", accessTokenExpires: clock.now() - 1 }),
    ).toMatchObject({ kind: "rejected" });
    expect(coordinator.events).toContainEqual(expect.objectContaining({ event: "sign-out", revoked: "failed" }));
  });
});
