/**
 * The load test's vocabulary: one request's sample and its verdict, the Server-Timing outcomes an app on
 * edge-session-refresh reports, and the latency summaries the report and the JSON are made of.
 */

/**
 * What a request meant to the simulated user: `served` (2xx; redirects are not followed), `signed-out`
 * (401, or a redirect to a sign-in page), `unavailable` (503: the app said "try again", the session is
 * kept) or `failed` (anything else: another status, a timeout, no connection, a content check that failed).
 */
export type Verdict = "served" | "signed-out" | "unavailable" | "failed";
export const VERDICTS: readonly Verdict[] = ["served", "signed-out", "unavailable", "failed"];

/**
 * The `session;desc="…"` outcomes of `Server-Timing` an app on edge-session-refresh sends, plus `none` for a
 * response without one (any app not on the package).
 */
export type Outcome = "valid" | "refreshed" | "joined" | "replayed" | "anonymous" | "rejected" | "unavailable" | "none";
export const OUTCOMES: readonly Outcome[] = [
  "valid",
  "refreshed",
  "joined",
  "replayed",
  "anonymous",
  "rejected",
  "unavailable",
  "none",
];

/**
 * Where in a scenario a request was sent. A storm wave: the `storm` (every tab at once with the due
 * cookie), one `late` request per account still carrying it after the storm (a queued tab), then the
 * `follow-up` (every tab again with the cookies its storm response set). The browse scenario: `browse`
 * requests and `refresh-ahead` session calls.
 */
export type Phase = "storm" | "late" | "follow-up" | "browse" | "refresh-ahead";

export interface Sample {
  /** Index of the account (a row of the accounts CSV) the simulated browser signed in with. */
  readonly account: number;
  readonly tab: number;
  /** Index of the target (--target) the request went to. */
  readonly target: number;
  readonly phase: Phase;
  readonly path: string;
  /** Storm: the wave (expiry) number from 1. Browse: the account's session generation when sent. */
  readonly expiry: number;
  /** Milliseconds since the scenario's (or the wave's) origin. */
  readonly startMs: number;
  readonly endMs: number;
  /** HTTP status; 0 when no response arrived (timeout, connection error). */
  readonly status: number;
  readonly verdict: Verdict;
  readonly outcome: Outcome;
  /** The middleware's own `dur` from Server-Timing, or null. */
  readonly middlewareMs: number | null;
  /** Served and, where a content check is set, passing it: what a user would call "the page worked". */
  readonly ok: boolean;
  /** Why it did not work, short and groupable ("401 session_expired", "307 → /login", "timeout", …). */
  readonly failure?: string;
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface OutcomeLatency {
  readonly outcome: Outcome;
  /** Requests with this outcome that worked; failed ones are left out of the timing. */
  readonly count: number;
  /** Client-observed: request sent to body read, queueing in the app included. */
  readonly client: LatencySummary;
  /** The middleware's Server-Timing `dur`: the session work alone. */
  readonly middleware: LatencySummary;
}

export interface Account {
  readonly identifier: string;
  readonly password: string;
}
