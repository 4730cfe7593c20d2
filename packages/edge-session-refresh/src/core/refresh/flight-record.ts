/**
 * What one flight did, for its log line: the loop notes facts as they happen (commands sent, the backend
 * call's duration, tokens followed, the decisions taken), and the line is assembled here, once, when the
 * flight ends. Its `role` is said in the contract's outcome words: how this flight came by its outcome.
 */
import type { Action } from "./decide";
import type { CoordinatorEvent, RefreshRole } from "./events";
import type { RefreshOutcome } from "./outcome";

export interface FlightFacts {
  /** Lock-store commands this flight sent (claims, settles, releases, retries included). */
  storeCommands: number;
  /** The backend call's duration; null when the flight made none. */
  backendMs: number | null;
  /** Tokens followed forward through stored successors (0: the cookie's own token). */
  chainLength: number;
  /** When it first found another request's lock; null: it never waited. */
  waitingSince: number | null;
  /** The last decision other than asking again, and when it was taken: it ends the wait. */
  last: { readonly action: Action["kind"]; readonly at: number } | null;
}

export function newFlightFacts(): FlightFacts {
  return { storeCommands: 0, backendMs: null, chainLength: 0, waitingSince: null, last: null };
}

/** How the flight came by its outcome, in the outcome words (`unlocked`: refreshed without the lock). */
export function roleOf(facts: FlightFacts): RefreshRole {
  switch (facts.last?.action) {
    case "lead":
      return "refreshed";
    case "refresh-unlocked":
      return "unlocked";
    case "take":
      return facts.waitingSince === null ? "replayed" : "joined";
    default:
      return "none";
  }
}

/** The flight's one log line. `endedAt` is when the outcome was known; `requests` the isolate's requests that shared it. */
export function refreshEvent(
  facts: FlightFacts,
  outcome: RefreshOutcome,
  requests: number,
  endedAt: number,
): CoordinatorEvent {
  const waitEnded = facts.last?.at ?? endedAt;
  return {
    event: "refresh",
    outcome: outcome.kind,
    role: roleOf(facts),
    requests,
    lockWaitMs: facts.waitingSince === null ? 0 : Math.max(0, Math.round(waitEnded - facts.waitingSince)),
    backendMs: facts.backendMs === null ? null : Math.round(facts.backendMs),
    storeCommands: facts.storeCommands,
    chainLength: facts.chainLength,
    ...(outcome.kind === "unavailable" || outcome.kind === "rejected" ? { detail: outcome.detail } : {}),
  };
}
