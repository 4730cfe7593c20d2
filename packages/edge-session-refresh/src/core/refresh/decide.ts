/**
 * The coordinator's decision, as a table: from what the store answered to one claim and what the flight has
 * seen so far, what to do next. Pure: no I/O and no clock of its own. The loop (coordinator.ts) claims,
 * sleeps, calls the backend and settles; every choice between those is made here.
 *
 * | the store answered | what the flight has seen | what to do |
 * | --- | --- | --- |
 * | (before asking) | the wait limit has passed | give up: unavailable |
 * | the lock is ours | anything | lead: call the backend, store the outcome |
 * | a stored refusal | anything | take it: rejected (and remember the refusal here) |
 * | a stored "unavailable" | anything | take it: unavailable (the leader's back-off) |
 * | stored successor tokens, not due | waited on a lock | take them: joined |
 * | stored successor tokens, not due | never waited | take them: replayed |
 * | stored successor tokens, due, another refresh token | that token not seen, chain short | follow it: ask about its refresh token |
 * | stored successor tokens, due, another refresh token | seen before, or chain at its limit | give up: unavailable |
 * | stored successor tokens, due, the same refresh token | anything | ask again at once, ignoring exactly that value (non-rotating backend: lead the next refresh) |
 * | a stored value that fails authentication | anything | give up: unavailable |
 * | busy | the first busy answer for this lock | wait until the leader's settle should have landed, then ask once more |
 * | busy | the well-timed re-claim came too early | wait a short, growing poll, then ask again |
 * | busy or timeout | the wait would pass the wait limit | give up: unavailable |
 * | timeout | anything | wait briefly and ask again (uncertain from now on: our claim may have run) |
 * | refused (unreachable, 401, 429, 5xx) | unlocked refresh allowed, never waited, never uncertain | refresh without the lock |
 * | refused | otherwise | give up: unavailable |
 */
import type { BackendTokens } from "../backend/tokens";
import type { SessionErrorCode } from "../errors";
import { refreshDue } from "../session/claims";
import type { CoordinatorEvent } from "./events";
import { roundTrip, storeMoment, waitBeforeAsking, type TimedClaim } from "./latency";
import { unavailable, type RefreshOutcome } from "./outcome";
import type { SealedOutcome } from "./sealing";

/** How soon to ask again after a store timeout. */
export const TIMEOUT_RETRY_MS = 50;
/**
 * A busy lock taken this much later than the one we waited on is a new lock (the old leader vanished and
 * someone took over): its re-claim is timed afresh instead of polled.
 */
export const NEW_LOCK_TOLERANCE_MS = 50;

/** What the store answered to one claim, as the loop read it. */
export type StoreAnswer =
  /** The lock is ours: nobody else is refreshing this token. */
  | { readonly kind: "leader" }
  /** An outcome a leader stored for this token; `sealed` is the value as stored. */
  | { readonly kind: "stored"; readonly outcome: SealedOutcome; readonly sealed: string }
  /** A stored value that failed authentication (tampered, or not sealed for this token). */
  | { readonly kind: "unreadable"; readonly detail: string }
  /** Another request leads: its lock is `lockAgeMs` old and lives `lockTtlMs` longer. */
  | { readonly kind: "busy"; readonly lockAgeMs: number; readonly lockTtlMs: number }
  /** No answer in time: the claim may or may not have run. */
  | { readonly kind: "timeout"; readonly detail: string }
  /** The store said no outright: unreachable, unauthorized, rate limited, server error, protocol. */
  | { readonly kind: "refused"; readonly code: SessionErrorCode; readonly detail: string };

/** What one flight has seen so far. Replaced, never mutated: each decision returns the next. */
export interface FlightState {
  /** The refresh token asked about: the cookie's, or a successor's followed forward. */
  readonly token: string;
  /** Every refresh token this flight asked about, the cookie's first. */
  readonly visited: readonly string[];
  /** When it first found another request's lock (our clock); null while it never waited. */
  readonly waitingSince: number | null;
  /** When the lock it waits on was taken, in our clock (the busy claim's store moment less the lock's age); null: none yet. */
  readonly lockTakenAt: number | null;
  /** Asks after the well-timed re-claim that still found that lock busy: the leader is late. */
  readonly lateAsks: number;
  /** A claim of this token timed out: it may have gone through, so never refresh without the lock. */
  readonly uncertain: boolean;
  /** A stored outcome seen and used up (a non-rotating backend's): the next claim counts it as absent. */
  readonly ignoring?: string;
  /** No decision waits past this (our clock). */
  readonly deadline: number;
}

/** What the decision needs beyond the answer and the flight: settings and what this isolate has learned. */
export interface DecisionContext {
  /** When the answer arrived (our clock). */
  readonly now: number;
  readonly refreshSkewMs: number;
  readonly unlockedWhenStoreFails: boolean;
  /** How long a leader takes from its claim's answer to sending its settle, as this isolate has learned it (latency.ts). */
  readonly refreshMs: number;
  /** Refresh tokens one flight may ask about, the cookie's included. */
  readonly maxChain: number;
}

export type Action =
  /** Call the backend under the lock, then store the outcome for everyone. */
  | { readonly kind: "lead" }
  /** Answer with this outcome, taken from what a leader stored. */
  | { readonly kind: "take"; readonly outcome: RefreshOutcome }
  /** Ask about this refresh token next (the stored successor's, itself due). */
  | { readonly kind: "follow"; readonly tokens: BackendTokens }
  /** Sleep this long, then claim again. */
  | { readonly kind: "ask-again"; readonly afterMs: number }
  /** Call the backend without the lock: the store failed and that is safe here. */
  | { readonly kind: "refresh-unlocked" }
  /** Answer with this outcome without any further I/O. */
  | { readonly kind: "give-up"; readonly outcome: RefreshOutcome };

export type DecisionReport = Extract<CoordinatorEvent, { event: "store-failed" | "store-value-invalid" }>;

export interface Decision {
  readonly action: Action;
  readonly next: FlightState;
  /** A degraded event to log. */
  readonly report?: DecisionReport;
  /** A refresh time learned: the one the leader stored with its outcome, else a bound from an early re-claim. */
  readonly refreshSeen?: number;
}

export function startFlight(refreshToken: string, deadline: number): FlightState {
  return {
    token: refreshToken,
    visited: [refreshToken],
    waitingSince: null,
    lockTakenAt: null,
    lateAsks: 0,
    uncertain: false,
    deadline,
  };
}

/** Before each claim: the wait limit. */
export function beforeClaim(flight: FlightState, now: number): Decision | null {
  if (now < flight.deadline) return null;
  return {
    action: { kind: "give-up", outcome: unavailable("timed out waiting for another request's refresh") },
    next: flight,
  };
}

/** The table above. `claim` is the claim's timing in our clock, for the one well-timed re-claim. */
export function decide(
  answer: StoreAnswer,
  flight: FlightState,
  claim: TimedClaim,
  context: DecisionContext,
): Decision {
  const { now } = context;
  const waited = flight.waitingSince !== null;
  switch (answer.kind) {
    case "leader":
      return { action: { kind: "lead" }, next: flight };

    case "stored": {
      const stored = answer.outcome;
      // Else, when the re-claim came early (the leader took longer than thought), the outcome landed before
      // this claim ran, which bounds the leader's refresh time (lock age there, less the two half round trips).
      // A leader that wrote down its own refresh time says it exactly; that is what every waiter learns from.
      const bound =
        flight.lockTakenAt !== null && flight.lateAsks > 0
          ? storeMoment(claim) - flight.lockTakenAt - roundTrip(claim)
          : undefined;
      const refreshSeen = stored.kind === "refreshed" && stored.refreshMs !== undefined ? stored.refreshMs : bound;
      const learned = refreshSeen === undefined ? {} : { refreshSeen };
      if (stored.kind === "rejected")
        return {
          action: { kind: "take", outcome: { kind: "rejected", detail: "the backend refused this refresh token" } },
          next: flight,
          ...learned,
        };
      if (stored.kind === "unavailable")
        return { action: { kind: "take", outcome: unavailable(stored.detail) }, next: flight, ...learned };
      const tokens = stored.tokens;
      if (!refreshDue(tokens, now, context.refreshSkewMs)) {
        return {
          action: { kind: "take", outcome: { kind: waited ? "joined" : "replayed", tokens } },
          next: flight,
          ...learned,
        };
      }
      if (tokens.refreshToken !== flight.token) {
        // A successor that is itself due: follow it to its own refresh token, never to one seen before.
        if (flight.visited.includes(tokens.refreshToken) || flight.visited.length >= context.maxChain) {
          return {
            action: { kind: "give-up", outcome: unavailable("the stored successors loop or run too long") },
            next: flight,
          };
        }
        const next: FlightState = {
          ...startFlight(tokens.refreshToken, flight.deadline),
          visited: [...flight.visited, tokens.refreshToken],
          waitingSince: flight.waitingSince,
        };
        return { action: { kind: "follow", tokens }, next, ...learned };
      }
      // A backend that does not rotate: this successor carries the token we hold, and is used up. Ask
      // again, ignoring exactly this value, to lead the next refresh (or find a newer outcome).
      return { action: { kind: "ask-again", afterMs: 0 }, next: { ...flight, ignoring: answer.sealed } };
    }

    case "unreadable":
      return {
        action: { kind: "give-up", outcome: unavailable("a stored outcome could not be read") },
        next: flight,
        report: { event: "store-value-invalid", detail: answer.detail },
      };

    case "busy": {
      const remaining = flight.deadline - now;
      const takenAt = storeMoment(claim) - Math.max(0, answer.lockAgeMs);
      const sameLock =
        flight.lockTakenAt !== null && takenAt - flight.lockTakenAt <= NEW_LOCK_TOLERANCE_MS + roundTrip(claim);
      const next: FlightState = {
        ...flight,
        waitingSince: flight.waitingSince ?? now,
        lockTakenAt: sameLock ? flight.lockTakenAt : takenAt,
        lateAsks: sameLock ? flight.lateAsks + 1 : 0,
      };
      if (remaining <= 0)
        return {
          action: { kind: "give-up", outcome: unavailable("timed out waiting for another request's refresh") },
          next,
        };
      const wait = waitBeforeAsking(context.refreshMs, answer.lockAgeMs, next.lateAsks);
      // Never past the wait limit, and never past the lock's own expiry: then the lead is free to take.
      return {
        action: { kind: "ask-again", afterMs: Math.max(1, Math.min(wait, remaining, Math.max(answer.lockTtlMs, 1))) },
        next,
      };
    }

    case "timeout": {
      // A timeout proves nothing: the store may be fine and a leader busy, or our own claim may have gone
      // through (the claim is re-entrant, so asking again tells). Keep asking until the wait limit.
      const next: FlightState = { ...flight, uncertain: true };
      const report: DecisionReport | undefined = flight.uncertain
        ? undefined
        : { event: "store-failed", code: "STORE_TIMEOUT", action: "retrying", detail: answer.detail };
      const remaining = flight.deadline - now;
      const action: Action =
        remaining <= 0
          ? { kind: "give-up", outcome: unavailable("the lock store did not answer in time") }
          : { kind: "ask-again", afterMs: Math.max(1, Math.min(TIMEOUT_RETRY_MS, remaining)) };
      return report === undefined ? { action, next } : { action, next, report };
    }

    case "refused":
      // The store said no outright. Refreshing without the lock is only safe where a parallel refresh
      // elsewhere cannot be taken for token reuse; otherwise keep the session and answer 503.
      if (context.unlockedWhenStoreFails && !waited && !flight.uncertain) {
        return {
          action: { kind: "refresh-unlocked" },
          next: flight,
          report: { event: "store-failed", code: answer.code, action: "unlocked-refresh", detail: answer.detail },
        };
      }
      return {
        action: { kind: "give-up", outcome: unavailable(`the lock store failed (${answer.code})`) },
        next: flight,
        report: { event: "store-failed", code: answer.code, action: "unavailable", detail: answer.detail },
      };
  }
}
