/**
 * Set on a request the middleware lets through after its refresh attempt found the backend unavailable,
 * so next-auth's jwt callback behind it (/api/auth/session) does not ask the backend a second time in
 * the same request. A client sending it itself only skips its own refresh.
 */
export const REFRESH_UNAVAILABLE_HEADER = "x-session-refresh-unavailable";

/**
 * Set by the middleware on every request it lets through: this request's session outcome and how long
 * the middleware took, `<outcome>;dur=<ms>` (the Server-Timing entry's values). Any client-sent copy is
 * replaced, so a page reading it (with next/headers) reads the middleware's word.
 */
export const SESSION_OUTCOME_HEADER = "x-session-outcome";

/**
 * Sent by the browser's background refresh (edge-session-refresh/client's SessionRefreshAhead) with
 * value "1": refresh now if the access token is within the ahead window (core/gate/refresh-ahead.ts),
 * which is bounded, so anyone sending it can at most move one refresh per token a little earlier.
 */
export const REFRESH_AHEAD_HEADER = "x-session-refresh-ahead";
