/**
 * The leader's settlement, as a table: what the backend answered → what is stored for everyone else, for
 * how long, which event an operator sees, and whether this isolate remembers a refusal. Pure, like
 * decide.ts; the coordinator only seals, stores and retries (coordinator.ts, `lead`).
 *
 * | backend answered | stored                               | for                     | event                 |
 * | ---------------- | ------------------------------------ | ----------------------- | --------------------- |
 * | ok               | refreshed: the successor (+ link)    | the grace window        | —                     |
 * | rejected         | rejected (and remembered here)       | the refusal marker      | —                     |
 * | misconfigured    | unavailable: "backend misconfigured" | the back-off (0: none)  | backend-misconfigured |
 * | malformed        | unavailable: "backend unavailable"   | the back-off (0: none)  | backend-unavailable   |
 * | unavailable      | unavailable: "backend unavailable"   | the back-off (0: none)  | backend-unavailable   |
 */
import type { BackendResult } from "../backend/result";
import type { BackendTokens } from "../backend/tokens";
import type { CoordinatorEvent } from "./events";
import type { TimedClaim } from "./latency";
import type { SealedOutcome } from "./sealing";

export interface SettleContext {
  /** The refresh token the leader refreshed. */
  readonly token: string;
  /** The claim that made us leader, or null when it timed out (we may hold the lock since a lost claim). */
  readonly claim: TimedClaim | null;
  readonly now: number;
  readonly lockTtlMs: number;
  /** How long a successor is offered to late requests. */
  readonly graceMs: number;
  /** How long a refusal is stored. */
  readonly rejectedTtlMs: number;
  /** How long others back off after a failed call; 0 stores nothing and only frees the lock. */
  readonly backoffMs: number;
}

export type SettlePlan = {
  /** Logged before the settlement. */
  readonly event?: CoordinatorEvent;
  /** This isolate remembers the refusal, so its next request with the token does not ask the store. */
  readonly rememberRefusal: boolean;
} & (
  | {
      readonly kind: "store";
      readonly outcome: SealedOutcome;
      readonly ttlMs: number;
      /** A new refresh token: the successor's own key is linked to ours (lock-store.ts, SuccessorLink). */
      readonly successorToken?: string;
      /** How long the refresh took from the claim's answer, learned for the next waits. */
      readonly refreshMs?: number;
      /** Until about then our lock keeps others from leading: a failed store may be retried until then. */
      readonly lockHeldUntil?: number;
    }
  | { readonly kind: "release" }
);

export function settlePlan(result: BackendResult<BackendTokens>, context: SettleContext): SettlePlan {
  switch (result.kind) {
    case "ok": {
      const successor = result.value;
      const { claim } = context;
      // From the claim's answer to the settle: the part of a refresh no store round trip is in. Stored with
      // the outcome, so waiters on other isolates learn it too, and time their next re-claim by it.
      const refreshMs = claim === null ? undefined : Math.max(0, Math.round(context.now - claim.answeredAt));
      return {
        kind: "store",
        rememberRefusal: false,
        outcome: { kind: "refreshed", tokens: successor, ...(refreshMs === undefined ? {} : { refreshMs }) },
        ttlMs: context.graceMs,
        ...(successor.refreshToken === context.token ? {} : { successorToken: successor.refreshToken }),
        ...(refreshMs === undefined ? {} : { refreshMs }),
        // Our lock was set before the claim's answer came back.
        ...(claim === null ? {} : { lockHeldUntil: claim.answeredAt + context.lockTtlMs }),
      };
    }
    case "rejected":
      return { kind: "store", rememberRefusal: true, outcome: { kind: "rejected" }, ttlMs: context.rejectedTtlMs };
    case "misconfigured":
      return backOff("backend misconfigured", { event: "backend-misconfigured", detail: result.detail }, context);
    case "malformed":
    case "unavailable":
      return backOff("backend unavailable", { event: "backend-unavailable", detail: result.detail }, context);
  }
}

/** After a failed call: others answer "unavailable" for the back-off, without calling the backend too. */
function backOff(detail: string, event: CoordinatorEvent, context: SettleContext): SettlePlan {
  if (context.backoffMs > 0)
    return {
      kind: "store",
      event,
      rememberRefusal: false,
      outcome: { kind: "unavailable", detail },
      ttlMs: context.backoffMs,
    };
  return { kind: "release", event, rememberRefusal: false };
}
