/**
 * The coordinator under every rotation policy a backend may have, on an injected clock: a browser with
 * several tabs over several isolates, a minute of browsing with access tokens shorter than the grace
 * window, and the edge cases that used to hang (a non-rotating backend's successor carries the token being
 * refreshed) or loop (a chain that comes back to a token seen before).
 */
import { describe, expect, it } from "vitest";
import { manualClock, testCoordinator } from "./test-support/coordinator";
import { countingStore } from "./test-support/counting-store";
import { policyBackend, type Policy } from "./test-support/policy-backend";
import type { BackendTokens } from "../backend/tokens";
import { refreshDue } from "../session/claims";
import type { RefreshCoordinator } from "./coordinator";
import { createMemoryLockStore } from "../../stores/memory";
import type { RefreshOutcome } from "./outcome";

const POLICIES: readonly Policy[] = ["rotate", "none", "reuse-interval"];
const SKEW_MS = 1_000;
/**
 * The injected clock jumps to the next sleeper's wake-up whenever a macrotask passes, also while a leader
 * awaits Web Crypto on the thread pool in real time; on a loaded machine virtual time can then outrun a
 * 4 s lock before the leader settles, which real time never does. A long backend timeout (the lock lives
 * 2 s longer) keeps the lock's lifetime out of reach of that artefact.
 */
const LOCK_SAFE = { backendTimeoutMs: 60_000 } as const;
/** A real-time bound on any one refresh in these tests: a hang fails the test instead of timing it out. */
const HANG_BOUND_MS = 5_000;

function settled<T>(promise: Promise<T>): Promise<T | "hung"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), HANG_BOUND_MS)));
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer));
}

describe.each(POLICIES)("rotation policy %s", (policy) => {
  it("a minute of browsing: 6 tabs over 3 isolates, 4 s tokens, 30 s grace, one cookie jar in arrival order", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy, accessTtlMs: 4_000, latencyMs: 80, reuseIntervalMs: 10_000 });
    const store = countingStore(createMemoryLockStore({ clock }));
    const isolates = Array.from({ length: 3 }, () =>
      testCoordinator({ store, backend, clock, settings: { ...LOCK_SAFE, refreshSkewMs: SKEW_MS, graceMs: 30_000 } }),
    );
    let jar: BackendTokens = backend.login();
    const outcomes: Array<RefreshOutcome["kind"] | "hung" | "valid"> = [];
    const started = clock.now();
    let round = 0;
    while (clock.now() - started < 60_000) {
      // Each tab sends what the jar holds now; answers land in arrival order, the last one wins.
      const sent = jar;
      await Promise.all(
        Array.from({ length: 6 }, async (_, tab) => {
          if (!refreshDue(sent, clock.now(), SKEW_MS)) return outcomes.push("valid");
          const outcome = await settled(isolates[(tab + round) % 3]!.refresh(sent));
          outcomes.push(outcome === "hung" ? "hung" : outcome.kind);
          if (outcome !== "hung" && "tokens" in outcome) jar = outcome.tokens;
        }),
      );
      round++;
      await clock.sleep(500);
    }
    // A token is refreshed once it is within the skew of expiry: at most one call per 3 s, at least one per 4 s.
    const [fewest, most] = [Math.floor(60_000 / 4_000), Math.ceil(60_000 / (4_000 - SKEW_MS)) + 1];
    expect(outcomes).not.toContain("hung");
    expect(outcomes.filter((o) => o === "rejected" || o === "unavailable")).toEqual([]);
    expect(backend.stats.reuseDetections).toBe(0);
    // One backend refresh per expiry, whatever the tabs and isolates did.
    expect(backend.stats.calls).toBeGreaterThanOrEqual(fewest);
    expect(backend.stats.calls).toBeLessThanOrEqual(most);
    for (const isolate of isolates) expect(isolate.inFlight()).toBe(0);
  });

  it("an access token that ran out long ago still reaches fresh tokens, once", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy, accessTtlMs: 5_000 });
    const store = createMemoryLockStore({ clock });
    const coordinator = testCoordinator({ store, backend, clock, settings: { ...LOCK_SAFE, refreshSkewMs: SKEW_MS } });
    const original = backend.login();
    clock.advance(6_000);
    const first = await settled(coordinator.refresh(original));
    expect(first).toMatchObject({ kind: "refreshed" });
    // The stored successor's own access token runs out too; an old cookie must not stop there.
    clock.advance(6_000);
    const late = await settled(
      testCoordinator({ store, backend, clock, settings: { ...LOCK_SAFE, refreshSkewMs: SKEW_MS } }).refresh(original),
    );
    expect(late).toMatchObject({ kind: "refreshed" });
    if (late === "hung" || !("tokens" in late)) throw new Error("no tokens");
    expect(late.tokens.accessTokenExpires).toBeGreaterThan(clock.now());
    expect(backend.stats).toMatchObject({ calls: 2, reuseDetections: 0 });
    expect(coordinator.inFlight()).toBe(0);
  });
});

describe("a backend that does not rotate", () => {
  it("the second expiry leads a new refresh instead of waiting on itself (the old hang)", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "none", accessTtlMs: 5_000 });
    const coordinator = testCoordinator({
      store: createMemoryLockStore({ clock }),
      backend,
      clock,
      settings: { ...LOCK_SAFE, refreshSkewMs: SKEW_MS, graceMs: 30_000 },
    });
    let tokens = backend.login();
    for (let expiry = 1; expiry <= 5; expiry++) {
      clock.advance(5_000);
      const outcome = await settled(coordinator.refresh(tokens));
      expect(outcome).toMatchObject({ kind: "refreshed" });
      if (outcome === "hung" || !("tokens" in outcome)) throw new Error("no tokens");
      expect(outcome.tokens.refreshToken).toBe(tokens.refreshToken);
      tokens = outcome.tokens;
      expect(coordinator.inFlight()).toBe(0);
    }
    expect(backend.stats.calls).toBe(5);
  });

  it("concurrent requests on several isolates still make one call per expiry", async () => {
    const clock = manualClock();
    const backend = policyBackend({ clock, policy: "none", accessTtlMs: 5_000, latencyMs: 50 });
    const store = createMemoryLockStore({ clock });
    const isolates: RefreshCoordinator[] = Array.from({ length: 3 }, () =>
      testCoordinator({ store, backend, clock, settings: { ...LOCK_SAFE, refreshSkewMs: SKEW_MS } }),
    );
    let tokens = backend.login();
    for (let expiry = 1; expiry <= 3; expiry++) {
      clock.advance(5_000);
      const sent = tokens;
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => settled(isolates[i % 3]!.refresh(sent))));
      expect(
        outcomes
          .map((o) => (o === "hung" ? o : o.kind))
          .filter((kind) => !["refreshed", "joined", "replayed"].includes(kind)),
      ).toEqual([]);
      const first = outcomes[0];
      if (first === undefined || first === "hung" || !("tokens" in first)) throw new Error("no tokens");
      tokens = first.tokens;
    }
    expect(backend.stats.calls).toBe(3);
  });
});

describe("successor chains", () => {
  it("a chain that comes back to a token already visited ends as unavailable, not a loop", async () => {
    const clock = manualClock();
    // A broken backend: A → B → A, every access token born expired.
    const next: Record<string, string> = { A: "B", B: "A" };
    const coordinator = testCoordinator({
      store: createMemoryLockStore({ clock }),
      clock,
      backend: {
        refresh: async (refreshToken) => ({
          kind: "ok",
          value: { accessToken: "x", refreshToken: next[refreshToken]!, accessTokenExpires: clock.now() - 1 },
        }),
      },
    });
    const stale = { accessToken: "x", refreshToken: "A", accessTokenExpires: clock.now() - 1 };
    expect(await settled(coordinator.refresh(stale))).toMatchObject({ kind: "refreshed" });
    expect(await settled(coordinator.refresh({ ...stale, refreshToken: "B" }))).toMatchObject({ kind: "refreshed" });
    // Now A's stored successor is B and B's is A, both expired: following must stop.
    const looped = await settled(
      testCoordinator({
        store: createMemoryLockStore({ clock }),
        clock,
        backend: { refresh: async () => ({ kind: "unavailable", reason: "network", detail: "x" }) },
      }).refresh(stale),
    );
    expect(looped).toMatchObject({ kind: "unavailable" });
    expect(coordinator.inFlight()).toBe(0);
  });
});
