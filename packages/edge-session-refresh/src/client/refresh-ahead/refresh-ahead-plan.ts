/**
 * When a tab refreshes the session in the background (pure: the clock, the visibility and the shared
 * state in; a plan out). The server refreshes a request marked x-session-refresh-ahead from
 * `skew + ahead` before expiry (core/gate/refresh-ahead.ts), the skew capped by the token's lifetime and the
 * ahead window by what it may cost (at most 5% more backend refreshes, never under 1 s); the session tells
 * the tab this token's window (refreshAheadFrom, refreshDueFrom). The tab aims just inside its start,
 * `min(ahead / 4, 1 s)` after it opens: as early as the server allows, so a page that is left soon after it
 * loaded (someone clicking on) still has most of the window to send and finish its request, with a little
 * room for a browser clock that runs ahead. One that runs further ahead is answered "not yet" and tries
 * again `retryGapMs` later. What that costs: refreshAheadCost.
 *
 * What keeps it from looping or storming:
 * - only a visible tab fires, and only while the access token has not expired: a laptop that wakes after
 *   the expiry does nothing, its next navigation (or the focus refetch) refreshes as without this;
 * - at most MAX_ATTEMPTS_PER_EXPIRY attempts per expiry, across all tabs (the state is shared), at least
 *   `retryGapMs` apart, and never before a Retry-After has passed;
 * - a new expiry (the refresh worked, here or anywhere) starts the count afresh.
 */

export const MAX_ATTEMPTS_PER_EXPIRY = 3;
/** Longest timer: a tab re-plans at least this often, so a changed clock or a lost event is caught. */
export const MAX_TIMER_MS = 10 * 60 * 1000;
/** The gap between attempts on the same expiry when the server gave no Retry-After. */
export const MIN_RETRY_GAP_MS = 1000;
/**
 * The gap after an attempt that got no answer at all. Most often its page was left (a click) while the
 * request was in flight: the browser still delivers a keepalive request and stores its cookie, but the
 * page sees an abort. The next page must not wait out the retry gap (that can push it into the skew
 * window), so only this short pause; MAX_ATTEMPTS_PER_EXPIRY still bounds a tab that is offline.
 */
export const LOST_RETRY_GAP_MS = 250;

export interface RefreshAheadSettings {
  /** SESSION_REFRESH_SKEW_SECONDS, in ms. */
  readonly skewMs: number;
  /** The server's ahead window (the gate's refreshAheadMs, default the skew, with the gate's caps). */
  readonly aheadMs: number;
}

/** What every tab of the origin knows about the background refresh (kept in localStorage). */
export interface RefreshAheadState {
  /** The newest access-token expiry any tab has seen (epoch ms, the server's clock), or null. */
  readonly expiresAt: number | null;
  /** Attempts made on `expiresAt`. */
  readonly attempts: number;
  /** When the last attempt on `expiresAt` started (epoch ms), or 0. */
  readonly lastAttemptAt: number;
  /** No attempt before this (epoch ms): the Retry-After of an outage. */
  readonly backoffUntil: number;
}

export const EMPTY_STATE: RefreshAheadState = { expiresAt: null, attempts: 0, lastAttemptAt: 0, backoffUntil: 0 };

/** planRefreshAhead's answer: stay idle (and why), wait `delayMs`, or fire now. */
export type RefreshAheadPlan =
  | { readonly kind: "idle"; readonly reason: "no-session" | "hidden" | "expired" | "gave-up" }
  | { readonly kind: "wait"; readonly delayMs: number }
  | { readonly kind: "fire" };

/** How far inside the window's start the tab aims, at most. */
export const MAX_AIM_INSIDE_MS = 1000;

/** Ms before expiry at which a tab asks for its background refresh. */
export function refreshAheadLeadMs(settings: RefreshAheadSettings): number {
  return settings.skewMs + settings.aheadMs - Math.min(settings.aheadMs / 4, MAX_AIM_INSIDE_MS);
}

/**
 * What refreshing ahead costs in backend refreshes, for access tokens of `lifetimeMs` with this window.
 * Without it a token is used until the skew window opens (`lifetime − skew`: the first request there
 * refreshes); with it, the tab replaces the token `replacedWithMsLeft` (its aim, refreshAheadLeadMs) before
 * expiry. `overhead` is the share of extra refreshes: (lifetime − skew) / (lifetime − replacedWithMsLeft) − 1.
 */
export function refreshAheadCost(
  lifetimeMs: number,
  settings: RefreshAheadSettings,
): { readonly replacedWithMsLeft: number; readonly overhead: number } {
  const replacedWithMsLeft = refreshAheadLeadMs(settings);
  return { replacedWithMsLeft, overhead: (lifetimeMs - settings.skewMs) / (lifetimeMs - replacedWithMsLeft) - 1 };
}

/**
 * The settings of one token's window as the session states it (epoch ms, the server's clock): the skew is
 * what is left when every request refreshes, the ahead window what lies between the two. Null when the
 * session does not say, or says something impossible.
 */
export function settingsFromWindow(
  expiresAt: unknown,
  aheadFrom: unknown,
  dueFrom: unknown,
): RefreshAheadSettings | null {
  if (typeof expiresAt !== "number" || typeof aheadFrom !== "number" || typeof dueFrom !== "number") return null;
  if (![expiresAt, aheadFrom, dueFrom].every(Number.isFinite) || !(aheadFrom <= dueFrom && dueFrom <= expiresAt))
    return null;
  return { skewMs: expiresAt - dueFrom, aheadMs: dueFrom - aheadFrom };
}

export function retryGapMs(settings: RefreshAheadSettings): number {
  return Math.max(MIN_RETRY_GAP_MS, settings.aheadMs / 2);
}

/** The background refresh's decision, pure: from the expiry, the shared state, the time and the tab's visibility, whether to wait, fire or stay idle. */
export function planRefreshAhead(input: {
  readonly expiresAt: number | null;
  readonly state: RefreshAheadState;
  readonly now: number;
  readonly visible: boolean;
  readonly settings: RefreshAheadSettings;
}): RefreshAheadPlan {
  const { now, state, settings } = input;
  const expiresAt = newestExpiry(input.expiresAt, state.expiresAt);
  if (expiresAt === null) return { kind: "idle", reason: "no-session" };
  if (!input.visible) return { kind: "idle", reason: "hidden" };
  if (now >= expiresAt) return { kind: "idle", reason: "expired" };
  const sameExpiry = state.expiresAt === expiresAt;
  const attempts = sameExpiry ? state.attempts : 0;
  if (attempts >= MAX_ATTEMPTS_PER_EXPIRY) return { kind: "idle", reason: "gave-up" };
  const notBefore = Math.max(
    expiresAt - refreshAheadLeadMs(settings),
    state.backoffUntil,
    sameExpiry && attempts > 0 ? state.lastAttemptAt + retryGapMs(settings) : 0,
  );
  if (notBefore >= expiresAt) return { kind: "idle", reason: "expired" };
  if (now >= notBefore) return { kind: "fire" };
  return { kind: "wait", delayMs: Math.min(notBefore - now, MAX_TIMER_MS) };
}

/** The state once an attempt on `expiresAt` starts. */
export function attemptStarted(state: RefreshAheadState, expiresAt: number, now: number): RefreshAheadState {
  const attempts = state.expiresAt === expiresAt ? state.attempts + 1 : 1;
  return { ...state, expiresAt, attempts, lastAttemptAt: now };
}

/** The state once a tab's session shows `expiresAt`: a newer expiry starts afresh (an outage's back-off stays). */
export function withKnownExpiry(state: RefreshAheadState, expiresAt: number): RefreshAheadState {
  if (state.expiresAt !== null && state.expiresAt >= expiresAt) return state;
  return { ...EMPTY_STATE, expiresAt, backoffUntil: state.backoffUntil };
}

export function newestExpiry(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}
