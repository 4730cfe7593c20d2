/**
 * This request's session outcome as the middleware decided it, for pages that show it. The middleware
 * puts `<outcome>;dur=<ms>` on the forwarded request (x-session-outcome) and replaces any client copy.
 */
import { headers } from "next/headers.js";
import type { GateOutcome } from "../core/gate/session-gate";
import { SESSION_OUTCOME_HEADER } from "./request-markers";

/** What the middleware did for a request: the gate's outcome (as in Server-Timing) and how long it took. */
export interface RequestOutcome {
  readonly outcome: GateOutcome;
  /** How long the middleware's session handling took, in milliseconds. */
  readonly durationMs: number | null;
}

const OUTCOMES: readonly GateOutcome[] = [
  "valid",
  "refreshed",
  "joined",
  "replayed",
  "anonymous",
  "rejected",
  "unavailable",
];

export function parseOutcomeMarker(value: string | null): RequestOutcome | null {
  if (value === null) return null;
  const [name = "", ...params] = value.split(";").map((part) => part.trim());
  if (!(OUTCOMES as readonly string[]).includes(name)) return null;
  const dur = params.find((param) => param.startsWith("dur="));
  const durationMs = dur === undefined ? null : Number(dur.slice(4));
  return {
    outcome: name as GateOutcome,
    durationMs: durationMs !== null && Number.isFinite(durationMs) ? durationMs : null,
  };
}

/** A request's outcome with a unique id and the time it was read, for a history that lists each request once. */
export interface StampedOutcome extends RequestOutcome {
  readonly id: string;
  readonly at: number;
}

/** The outcome for the request being rendered, or null when it did not pass the middleware. */
export async function requestSessionOutcome(): Promise<StampedOutcome | null> {
  let parsed: RequestOutcome | null;
  try {
    parsed = parseOutcomeMarker((await headers()).get(SESSION_OUTCOME_HEADER));
  } catch {
    return null;
  }
  return parsed === null ? null : { ...parsed, id: crypto.randomUUID(), at: Date.now() };
}
