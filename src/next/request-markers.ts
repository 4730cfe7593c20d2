/**
 * Set on a request the middleware lets through after its refresh attempt found the backend unavailable,
 * so next-auth's jwt callback behind it (/api/auth/session) does not ask the backend a second time in
 * the same request. A client sending it itself only skips its own refresh.
 */
export const REFRESH_UNAVAILABLE_HEADER = "x-session-refresh-unavailable";
