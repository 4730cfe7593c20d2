/**
 * `edge-session-refresh/next`: the Next.js adapter, everything an app needs and nothing more (the rest of
 * src/next is internal). MIGRATING.md walks through it; the fixtures and the demo app import only the
 * package's entry points.
 *
 * - `withSessionRefresh(authOptions)` wraps your AuthOptions (codec, refresh through the coordinator, no
 *   token in the browser's session, sign-out revocation, the open-redirect guard around your `redirect`
 *   callback); `credentialsFromBackend()` / `withBackendTokens()` build what your Credentials provider's
 *   authorize() returns.
 * - `createSessionMiddleware({ protectedPages, protectedApis, loginPath, security })` for middleware.ts, with
 *   the security headers on by default (docs/CONFIGURATION.md); its `config.matcher` must be a literal in
 *   that file (Next reads it statically), see MIGRATING.md.
 * - `currentSession()` reads the (already refreshed) session, tokens included, in server components and
 *   route handlers; server-side only.
 * - `parseSettings`, `SETTING_NAMES`: the settings, to check an environment up front.
 * - Building blocks for route handlers of your own: `sessionRuntime()` (the isolate's settings and backend
 *   client), `apiError()` (the middleware's JSON error shape), `requestSessionOutcome()` (what the middleware
 *   did for this request), `sanitizeCallbackPath()` (a login page's callbackUrl), and the same-origin backend
 *   proxy for client code (`backendProxyHandler()`, or `backendProxyConfig()` with `proxyToBackend()`).
 *
 * The package README's "API" section lists every name with one line each.
 */
import type { DefaultSession } from "next-auth";

/** The session as withSessionRefresh builds it: identity and the access token's expiry, never a token. */
declare module "next-auth" {
  interface Session {
    user?: DefaultSession["user"] & { id?: string };
    /** When the backend access token expires, epoch milliseconds; null if the session has none. */
    accessTokenExpires?: number | null;
    /** The server's SESSION_REFRESH_SKEW_SECONDS: when a refresh falls due, for the browser's refresh-ahead. */
    refreshSkewSeconds?: number;
    /** From when (epoch ms, the server's clock) a refresh-ahead request refreshes this access token. */
    refreshAheadFrom?: number;
    /** From when (epoch ms) every request refreshes it: the skew, capped at half the token's lifetime. */
    refreshDueFrom?: number;
    /** Set while the backend could not refresh the session (it is kept; the next request tries again). */
    error?: "RefreshUnavailable";
  }
}

export { withSessionRefresh, type BackendUser, type SessionRefreshOptions } from "./with-session-refresh";
export type { CredentialsLimitsOptions } from "./credentials-limits";
export { credentialsFromBackend, withBackendTokens, type CredentialsFromBackendOptions } from "./credentials";
export {
  createSessionMiddleware,
  type SessionMiddleware,
  type SessionMiddlewareConfig,
} from "./create-session-middleware";
export type { CspPolicy, SecurityHeadersConfig } from "./security-headers";
export { currentSession } from "./server-session";
export { parseSettings, SETTING_NAMES, type Settings } from "../core/settings";
export type { Env } from "../core/setting-values";
export type { SessionClaims } from "../core/session/claims";
export type { BackendTokens } from "../core/backend/tokens";

// Building blocks for route handlers of your own.
export { sessionRuntime } from "./runtime";
export { apiError, type ApiErrorCode } from "./api-responses";
export { requestSessionOutcome, type RequestOutcome, type StampedOutcome } from "./session-outcome";
export { sanitizeCallbackPath } from "../core/navigation/callback-path";
export { backendProxyHandler } from "./backend-proxy";
export {
  backendProxyConfig,
  proxyToBackend,
  type BackendProxyConfig,
  type BackendProxyDependencies,
} from "../core/proxy/backend-proxy";
