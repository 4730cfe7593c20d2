"use client";
/**
 * `edge-session-refresh/client`: the browser helpers. The built file keeps "use client", so an App Router
 * layout (a server component) can import it directly.
 */
export { useAccessTokenExpiry, useCountdown, formatRemaining } from "./access-token-expiry";
export { installBroadcastDeferral } from "./session-broadcast";
export {
  SessionRefreshAhead,
  useSessionRefreshAhead,
  type SessionRefreshAheadProps,
} from "./refresh-ahead/session-refresh-ahead";
export { planRefreshAhead, type RefreshAheadPlan, type RefreshAheadState } from "./refresh-ahead/refresh-ahead-plan";
