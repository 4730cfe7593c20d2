/**
 * What a background refresh's answer means (pure): the response to GET /api/auth/session marked
 * x-session-refresh-ahead, read as its status, Server-Timing outcome, Retry-After and JSON body.
 */
import { REFRESH_AHEAD_HEADER } from "../../next/request-markers";
import { EMPTY_STATE, LOST_RETRY_GAP_MS, MAX_ATTEMPTS_PER_EXPIRY, type RefreshAheadState } from "./refresh-ahead-plan";

/** Longest a background refresh may take before it counts as no answer. */
const REQUEST_TIMEOUT_MS = 15_000;

/** Used when an outage gave no usable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;
/** A Retry-After is honoured up to this; longer ones are the server's mistake, not a reason to stop for a day. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

export type RefreshAheadAnswer =
  /** The session has a newer expiry (refreshed here, or by anyone before). */
  | { readonly kind: "renewed"; readonly expiresAt: number }
  /** Not yet due on the server's clock: the same expiry. */
  | { readonly kind: "early" }
  /**
   * The session is gone. `refused`: the backend refused the refresh just now (or a 401), so every tab is
   * told; otherwise the cookie was already gone (signed out elsewhere), and there is nothing to tell.
   */
  | { readonly kind: "signed-out"; readonly refused: boolean }
  /** An outage (or anything unexpected): try again no sooner than `retryAfterMs`. */
  | { readonly kind: "unavailable"; readonly retryAfterMs: number }
  /**
   * No answer at all: a network error, the request timed out, or it was aborted because this page was
   * being left. Nothing says the server is down: no outage back-off, only LOST_RETRY_GAP_MS (the plan's
   * MAX_ATTEMPTS_PER_EXPIRY still bounds the tries).
   */
  | { readonly kind: "lost" };

export interface AnswerView {
  readonly status: number;
  readonly serverTiming: string | null;
  readonly retryAfter: string | null;
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly body: unknown;
}

export function readRefreshAheadAnswer(answer: AnswerView, previousExpiresAt: number, now: number): RefreshAheadAnswer {
  const outcome = /(?:^|,)\s*session;desc="([a-z]+)"/.exec(answer.serverTiming ?? "")?.[1] ?? null;
  if (outcome === "rejected" || answer.status === 401) return { kind: "signed-out", refused: true };
  if (answer.status !== 200 || outcome === "unavailable" || outcome === null)
    return { kind: "unavailable", retryAfterMs: retryAfterMs(answer.retryAfter, now) };
  const body = answer.body as { user?: unknown; accessTokenExpires?: unknown } | null | undefined;
  if (typeof body !== "object" || body === null)
    return { kind: "unavailable", retryAfterMs: retryAfterMs(answer.retryAfter, now) };
  // next-auth answers {} for no session.
  if (body.user === undefined) return { kind: "signed-out", refused: false };
  const expiresAt = body.accessTokenExpires;
  if (typeof expiresAt !== "number" || !Number.isFinite(expiresAt))
    return { kind: "unavailable", retryAfterMs: DEFAULT_RETRY_AFTER_MS };
  return expiresAt > previousExpiresAt ? { kind: "renewed", expiresAt } : { kind: "early" };
}

/** Retry-After as seconds or an HTTP date, bounded to [1 s, MAX_RETRY_AFTER_MS]; the default when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number {
  if (header === null || header.trim() === "") return DEFAULT_RETRY_AFTER_MS;
  const text = header.trim();
  // Delay-seconds, or an HTTP date (which has a weekday or month name; Date.parse would read "-3" as a year).
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : /[a-z]/i.test(text) ? Date.parse(text) - now : NaN;
  if (!Number.isFinite(ms)) return DEFAULT_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(1000, ms));
}

/** The shared state after an answer. */
export function stateAfter(state: RefreshAheadState, answer: RefreshAheadAnswer, now: number): RefreshAheadState {
  switch (answer.kind) {
    case "renewed":
      return { ...EMPTY_STATE, expiresAt: answer.expiresAt };
    case "early":
      return state;
    case "signed-out":
      // Nothing more on this expiry, even while a tab's useSession still shows it.
      return { ...state, attempts: MAX_ATTEMPTS_PER_EXPIRY };
    case "unavailable":
      return { ...state, backoffUntil: Math.max(state.backoffUntil, now + answer.retryAfterMs) };
    case "lost":
      // The retry gap is replaced by the short one: the attempt still counts.
      return { ...state, lastAttemptAt: 0, backoffUntil: Math.max(state.backoffUntil, now + LOST_RETRY_GAP_MS) };
  }
}

/**
 * The background refresh itself: GET the session endpoint with the marker, through the session middleware.
 * `fetchImpl` is the browser's fetch (a test passes its own).
 */
export async function askForRenewal(
  sessionPath: string,
  knownExpiresAt: number,
  fetchImpl: typeof fetch = fetch,
): Promise<RefreshAheadAnswer> {
  try {
    const response = await fetchImpl(sessionPath, {
      headers: { [REFRESH_AHEAD_HEADER]: "1", accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
      // Outlives the page: a tab that navigates away mid-refresh still gets the new cookie stored, instead
      // of leaving its next page load to find the old one (and wait, or replay).
      keepalive: true,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    // A body cut off while it was read (the page left just after the headers came) is no answer, not an
    // outage: the browser has stored the cookie all the same. A body that is read but is not JSON is.
    const text = await response.text();
    const body = parseJson(text);
    return readRefreshAheadAnswer(
      {
        status: response.status,
        serverTiming: response.headers.get("server-timing"),
        retryAfter: response.headers.get("retry-after"),
        body,
      },
      knownExpiresAt,
      Date.now(),
    );
  } catch {
    // Offline, timed out, or aborted (the page is being left): no answer, which says nothing of the server.
    return { kind: "lost" };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
