/**
 * Waiters on other isolates finish with the leader (issue 18): with the lock store at a distance, each
 * waiting isolate sends one claim that finds the lock and one re-claim that finds the outcome, and answers
 * within a margin of the leader, at any distance. On the injected clock: a real memory store behind a
 * simulated round trip, the policy backend taking 150 ms.
 */
import { describe, expect, it } from "vitest";
import { manualClock, testCoordinator } from "./test-support/coordinator";
import { countingStore } from "./test-support/counting-store";
import { policyBackend } from "./test-support/policy-backend";
import type { Clock } from "../clock";
import type { LockStore } from "./lock-store";
import { createMemoryLockStore } from "../../stores/memory";
import { createSealer, type SealedOutcome } from "./sealing";

const BACKEND_MS = 150;
/** Real time each step of the clock lets pass first, so Web Crypto work (which no clock can see) is done. */
const SETTLE_REAL_MS = 20;
const ISOLATES = 3;
const REQUESTS = 30;

/** The real memory store, a simulated round trip away: half on the way there, half on the way back. */
function distant(inner: LockStore, clock: Clock, roundTripMs: number): LockStore {
  const away = async <T>(call: () => Promise<T>): Promise<T> => {
    await clock.sleep(roundTripMs / 2);
    const answer = await call();
    await clock.sleep(roundTripMs / 2);
    return answer;
  };
  return {
    claim: (...args) => away(() => inner.claim(...args)),
    settle: (...args) => away(() => inner.settle(...args)),
    release: (...args) => away(() => inner.release(...args)),
    forget: (...args) => away(() => inner.forget(...args)),
    ping: () => away(() => inner.ping()),
  };
}

describe.each([40, 100])("a storm over %d ms of store distance", (roundTripMs) => {
  it("costs 6 store commands per refresh, and every waiter answers within a margin of the leader", async () => {
    const clock = manualClock(undefined, SETTLE_REAL_MS);
    const backend = policyBackend({ clock, policy: "rotate", accessTtlMs: 60_000, latencyMs: BACKEND_MS });
    const store = countingStore(createMemoryLockStore({ clock }));
    const isolates = Array.from({ length: ISOLATES }, () =>
      testCoordinator({ store: distant(store, clock, roundTripMs), backend, clock }),
    );
    const storm = async () => {
      const session = { ...backend.login(), accessTokenExpires: clock.now() - 1 };
      const started = clock.now();
      return Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          const outcome = await isolates[i % ISOLATES]!.refresh(session);
          return { kind: outcome.kind, ms: clock.now() - started };
        }),
      );
    };

    // The first storm teaches every isolate the leader's refresh time (stored with the outcome).
    await storm();
    store.reset();
    const answers = await storm();

    expect(answers.filter((a) => a.kind === "refreshed")).toHaveLength(1);
    expect(answers.filter((a) => a.kind === "joined")).toHaveLength(REQUESTS - 1);
    // The leader's claim and settle; one busy claim and one re-claim for each of the 2 other isolates.
    expect(store.counts).toEqual({ claim: 5, settle: 1, release: 0, forget: 0 });
    const leader = answers.find((a) => a.kind === "refreshed")!.ms;
    expect(leader).toBe(roundTripMs + BACKEND_MS + roundTripMs);
    // The re-claim lands a tenth of the refresh time after the settle: within one round trip of the leader.
    const last = Math.max(...answers.map((a) => a.ms));
    expect(last - leader).toBeLessThanOrEqual(Math.max(5, BACKEND_MS / 10) + 1);
    expect(last - leader).toBeLessThanOrEqual(roundTripMs);
  });
});

describe("the leader's refresh time travels with the stored outcome", () => {
  it("is sealed and read back; a value without it or with nonsense reads as an outcome without it", async () => {
    const sealer = createSealer();
    const keys = await sealer.keysFor("a-refresh-token");
    const tokens = { accessToken: "a", refreshToken: "b", accessTokenExpires: Date.UTC(2030, 0, 1) };
    expect(await sealer.unseal(keys, await sealer.seal(keys, { kind: "refreshed", tokens, refreshMs: 173 }))).toEqual({
      kind: "refreshed",
      tokens,
      refreshMs: 173,
    });
    expect(await sealer.unseal(keys, await sealer.seal(keys, { kind: "refreshed", tokens }))).toEqual({
      kind: "refreshed",
      tokens,
    });
    const nonsense = { kind: "refreshed", tokens, refreshMs: -1 } as unknown as SealedOutcome;
    expect(await sealer.unseal(keys, await sealer.seal(keys, nonsense))).toEqual({ kind: "refreshed", tokens });
  });
});
