// The coordinator's decision table, row by row (the table is in decide.ts's header and docs/ARCHITECTURE.md).
import { describe, expect, it } from "vitest";
import type { BackendTokens } from "../backend/tokens";
import {
  beforeClaim,
  decide,
  NEW_LOCK_TOLERANCE_MS,
  startFlight,
  TIMEOUT_RETRY_MS,
  type DecisionContext,
  type FlightState,
  type StoreAnswer,
} from "./decide";
import { waitBeforeAsking } from "./latency";
import type { SealedOutcome } from "./sealing";

const NOW = 1_000_000;
const DEADLINE = NOW + 3_000;
const CONTEXT: DecisionContext = {
  now: NOW,
  refreshSkewMs: 30_000,
  unlockedWhenStoreFails: false,
  refreshMs: 150,
  maxChain: 8,
};
/** A claim that went out 40 ms ago: it ran in the store 20 ms ago. */
const CLAIM = { sentAt: NOW - 40, answeredAt: NOW };

const fresh = (refreshToken: string): BackendTokens => ({
  accessToken: "a",
  refreshToken,
  accessTokenExpires: NOW + 300_000,
});
const due = (refreshToken: string): BackendTokens => ({
  accessToken: "a",
  refreshToken,
  accessTokenExpires: NOW + 1_000,
});
const stored = (outcome: SealedOutcome, sealed = "sealed-value"): StoreAnswer => ({ kind: "stored", outcome, sealed });
const flight = (overrides: Partial<FlightState> = {}): FlightState => ({
  ...startFlight("r0", DEADLINE),
  ...overrides,
});
const waited = flight({ waitingSince: NOW - 100 });

describe("before each claim", () => {
  it("gives up at the wait limit, and asks otherwise", () => {
    expect(beforeClaim(flight(), DEADLINE - 1)).toBeNull();
    expect(beforeClaim(flight(), DEADLINE)?.action).toMatchObject({
      kind: "give-up",
      outcome: { kind: "unavailable", detail: "timed out waiting for another request's refresh" },
    });
  });
});

describe("the store's answer and what the flight has seen → what to do", () => {
  it.each<[string, StoreAnswer, FlightState, Partial<DecisionContext>, unknown]>([
    ["the lock is ours → lead", { kind: "leader" }, flight(), {}, { kind: "lead" }],
    [
      "the lock is ours after waiting → lead (took over a vanished leader)",
      { kind: "leader" },
      waited,
      {},
      { kind: "lead" },
    ],
    [
      "a stored refusal → rejected",
      stored({ kind: "rejected" }),
      flight(),
      {},
      { kind: "take", outcome: { kind: "rejected" } },
    ],
    [
      "a stored refusal after waiting → rejected",
      stored({ kind: "rejected" }),
      waited,
      {},
      { kind: "take", outcome: { kind: "rejected" } },
    ],
    [
      "a stored back-off → unavailable with its detail",
      stored({ kind: "unavailable", detail: "backend unavailable" }),
      flight(),
      {},
      { kind: "take", outcome: { kind: "unavailable", detail: "backend unavailable", retryAfterSeconds: 2 } },
    ],
    [
      "successor tokens, not due, after waiting → joined",
      stored({ kind: "refreshed", tokens: fresh("r1") }),
      waited,
      {},
      { kind: "take", outcome: { kind: "joined", tokens: fresh("r1") } },
    ],
    [
      "successor tokens, not due, never waited → replayed",
      stored({ kind: "refreshed", tokens: fresh("r1") }),
      flight(),
      {},
      { kind: "take", outcome: { kind: "replayed", tokens: fresh("r1") } },
    ],
    [
      "successor tokens, due, a new refresh token → follow it",
      stored({ kind: "refreshed", tokens: due("r1") }),
      flight(),
      {},
      { kind: "follow", tokens: due("r1") },
    ],
    [
      "successor tokens, due, a token seen before (a loop) → give up",
      stored({ kind: "refreshed", tokens: due("r0") }),
      flight({ token: "r1", visited: ["r0", "r1"] }),
      {},
      { kind: "give-up", outcome: { kind: "unavailable", detail: "the stored successors loop or run too long" } },
    ],
    [
      "successor tokens, due, the chain at its limit → give up",
      stored({ kind: "refreshed", tokens: due("r2") }),
      flight({ token: "r1", visited: ["r0", "r1"] }),
      { maxChain: 2 },
      { kind: "give-up", outcome: { kind: "unavailable" } },
    ],
    [
      "successor tokens, due, the same refresh token (non-rotating) → ask again at once",
      stored({ kind: "refreshed", tokens: due("r0") }),
      flight(),
      {},
      { kind: "ask-again", afterMs: 0 },
    ],
    [
      "a value that fails authentication → give up",
      { kind: "unreadable", detail: "bad tag" },
      flight(),
      {},
      { kind: "give-up", outcome: { kind: "unavailable", detail: "a stored outcome could not be read" } },
    ],
    [
      "busy, first time → wait until the leader should be done",
      { kind: "busy", lockAgeMs: 30, lockTtlMs: 6_970 },
      flight(),
      {},
      { kind: "ask-again", afterMs: waitBeforeAsking(150, 30, 0) },
    ],
    [
      "busy, but the wait limit has passed → give up",
      { kind: "busy", lockAgeMs: 30, lockTtlMs: 6_970 },
      flight({ deadline: NOW }),
      {},
      { kind: "give-up", outcome: { kind: "unavailable", detail: "timed out waiting for another request's refresh" } },
    ],
    [
      "timeout → ask again shortly",
      { kind: "timeout", detail: "t" },
      flight(),
      {},
      { kind: "ask-again", afterMs: TIMEOUT_RETRY_MS },
    ],
    [
      "timeout at the wait limit → give up",
      { kind: "timeout", detail: "t" },
      flight({ deadline: NOW }),
      {},
      { kind: "give-up", outcome: { kind: "unavailable", detail: "the lock store did not answer in time" } },
    ],
    [
      "refused, unlocked refresh allowed, nothing seen → refresh without the lock",
      { kind: "refused", code: "STORE_UNREACHABLE", detail: "d" },
      flight(),
      { unlockedWhenStoreFails: true },
      { kind: "refresh-unlocked" },
    ],
    [
      "refused, unlocked allowed, but it waited on a lock → give up",
      { kind: "refused", code: "STORE_UNREACHABLE", detail: "d" },
      waited,
      { unlockedWhenStoreFails: true },
      { kind: "give-up", outcome: { kind: "unavailable", detail: "the lock store failed (STORE_UNREACHABLE)" } },
    ],
    [
      "refused, unlocked allowed, but a claim timed out (it may hold the lock) → give up",
      { kind: "refused", code: "STORE_SERVER_ERROR", detail: "d" },
      flight({ uncertain: true }),
      { unlockedWhenStoreFails: true },
      { kind: "give-up", outcome: { kind: "unavailable" } },
    ],
    [
      "refused, unlocked refresh not safe here → give up",
      { kind: "refused", code: "STORE_RATE_LIMITED", detail: "d" },
      flight(),
      {},
      { kind: "give-up", outcome: { kind: "unavailable", detail: "the lock store failed (STORE_RATE_LIMITED)" } },
    ],
  ])("%s", (_row, answer, state, context, action) => {
    expect(decide(answer, state, CLAIM, { ...CONTEXT, ...context }).action).toMatchObject(action as object);
  });
});

describe("what the flight remembers, and what it reports", () => {
  it("a first busy answer starts the wait and places the lock in our clock", () => {
    const { next } = decide({ kind: "busy", lockAgeMs: 30, lockTtlMs: 6_970 }, flight(), CLAIM, CONTEXT);
    // The claim ran at NOW - 20, when the lock was 30 ms old.
    expect(next).toMatchObject({ waitingSince: NOW, lockTakenAt: NOW - 50, lateAsks: 0 });
  });

  it("the same lock still busy: the leader is late, so poll, slower each time", () => {
    const first = decide({ kind: "busy", lockAgeMs: 30, lockTtlMs: 6_970 }, flight(), CLAIM, CONTEXT).next;
    const later = { sentAt: NOW + 200, answeredAt: NOW + 240 };
    const second = decide({ kind: "busy", lockAgeMs: 280, lockTtlMs: 6_720 }, first, later, {
      ...CONTEXT,
      now: NOW + 240,
    });
    expect(second.next).toMatchObject({ waitingSince: NOW, lockTakenAt: NOW - 50, lateAsks: 1 });
    expect(second.action).toEqual({ kind: "ask-again", afterMs: waitBeforeAsking(150, 280, 1) });
    const third = decide({ kind: "busy", lockAgeMs: 320, lockTtlMs: 6_680 }, second.next, later, {
      ...CONTEXT,
      now: NOW + 280,
    });
    expect(third.next.lateAsks).toBe(2);
    expect((third.action as { afterMs: number }).afterMs).toBeGreaterThan(
      (second.action as { afterMs: number }).afterMs,
    );
  });

  it("a busy lock taken well after the one it waited on is a new leader's: timed afresh", () => {
    const first = decide({ kind: "busy", lockAgeMs: 30, lockTtlMs: 6_970 }, flight(), CLAIM, CONTEXT).next;
    const later = { sentAt: NOW + 1_000, answeredAt: NOW + 1_040 };
    const { next, action } = decide({ kind: "busy", lockAgeMs: 10, lockTtlMs: 6_990 }, first, later, {
      ...CONTEXT,
      now: NOW + 1_040,
    });
    expect(next.lateAsks).toBe(0);
    expect(next.lockTakenAt! - first.lockTakenAt!).toBeGreaterThan(NEW_LOCK_TOLERANCE_MS);
    expect(action).toEqual({ kind: "ask-again", afterMs: waitBeforeAsking(150, 10, 0) });
  });

  it("a wait never outlasts the lock (then the lead is free) nor the wait limit", () => {
    expect(decide({ kind: "busy", lockAgeMs: 0, lockTtlMs: 20 }, flight(), CLAIM, CONTEXT).action).toEqual({
      kind: "ask-again",
      afterMs: 20,
    });
    expect(
      decide({ kind: "busy", lockAgeMs: 0, lockTtlMs: 6_000 }, flight({ deadline: NOW + 7 }), CLAIM, CONTEXT).action,
    ).toEqual({
      kind: "ask-again",
      afterMs: 7,
    });
  });

  it("following a successor asks about its token afresh, keeping the wait and the chain", () => {
    const { next } = decide(
      stored({ kind: "refreshed", tokens: due("r1") }),
      flight({ waitingSince: NOW - 5, uncertain: true, ignoring: "x", lateAsks: 2, lockTakenAt: 1 }),
      CLAIM,
      CONTEXT,
    );
    expect(next).toEqual({
      token: "r1",
      visited: ["r0", "r1"],
      waitingSince: NOW - 5,
      lockTakenAt: null,
      lateAsks: 0,
      uncertain: false,
      deadline: DEADLINE,
    });
  });

  it("a used-up successor of the same token is ignored by the next claim", () => {
    expect(
      decide(stored({ kind: "refreshed", tokens: due("r0") }, "used-up"), flight(), CLAIM, CONTEXT).next.ignoring,
    ).toBe("used-up");
  });

  it("timeouts make the flight uncertain, and are reported once", () => {
    const first = decide({ kind: "timeout", detail: "slow" }, flight(), CLAIM, CONTEXT);
    expect(first.next.uncertain).toBe(true);
    expect(first.report).toEqual({ event: "store-failed", code: "STORE_TIMEOUT", action: "retrying", detail: "slow" });
    expect(decide({ kind: "timeout", detail: "slow" }, first.next, CLAIM, CONTEXT).report).toBeUndefined();
  });

  it.each([
    [
      { kind: "refused", code: "STORE_UNAUTHORIZED", detail: "401" } as const,
      false,
      { event: "store-failed", code: "STORE_UNAUTHORIZED", action: "unavailable", detail: "401" },
    ],
    [
      { kind: "refused", code: "STORE_UNREACHABLE", detail: "down" } as const,
      true,
      { event: "store-failed", code: "STORE_UNREACHABLE", action: "unlocked-refresh", detail: "down" },
    ],
    [{ kind: "unreadable", detail: "bad tag" } as const, false, { event: "store-value-invalid", detail: "bad tag" }],
  ])("reports %j (unlocked refresh allowed: %s)", (answer, unlockedWhenStoreFails, report) => {
    expect(decide(answer, flight(), CLAIM, { ...CONTEXT, unlockedWhenStoreFails }).report).toEqual(report);
  });

  it("learns the refresh time the leader stored with its outcome", () => {
    expect(
      decide(stored({ kind: "refreshed", tokens: fresh("r1"), refreshMs: 173 }), waited, CLAIM, CONTEXT).refreshSeen,
    ).toBe(173);
    expect(
      decide(stored({ kind: "refreshed", tokens: fresh("r1") }), waited, CLAIM, CONTEXT).refreshSeen,
    ).toBeUndefined();
  });

  it("without it, a re-claim that came early bounds the leader's time: lock age where found, less a round trip", () => {
    // Lock taken at NOW - 500; found by a claim that ran at NOW - 20 with a 40 ms round trip.
    const late = flight({ waitingSince: NOW - 480, lockTakenAt: NOW - 500, lateAsks: 1 });
    expect(decide(stored({ kind: "refreshed", tokens: fresh("r1") }), late, CLAIM, CONTEXT).refreshSeen).toBe(440);
  });
});
