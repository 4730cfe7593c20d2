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
 * - `mintSessionCookie()`: a valid session cookie for your own tests.
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
export { credentialsFromBackend, withBackendTokens, type CredentialsFromBackendOptions } from "./credentials";
export { createSessionMiddleware, type SessionMiddleware, type SessionMiddlewareConfig, type SecurityHeadersConfig } from "./app-middleware";
export { currentSession } from "./server-session";
export { parseSettings, SETTING_NAMES, type Settings, type Env, type SessionClaims, type BackendTokens } from "../core";
export { mintSessionCookie, type MintOptions, type MintedSession } from "../testing/session-cookie";

// Building blocks for route handlers of your own: the isolate's runtime (settings, the backend client with
// the configured protocol), the middleware's JSON error shape, the same-origin backend proxy for client
// code, what the middleware did for this request, and the callbackUrl sanitiser for a login page.
export { sessionRuntime } from "./runtime";
export { apiError, PRIVATE_NO_STORE, type ApiErrorCode } from "./api-responses";
export { backendProxyConfig, proxyToBackend, type BackendProxyConfig } from "./backend-proxy";
export { OUTCOME_DESCRIPTIONS, requestSessionOutcome, type RequestOutcome } from "./session-outcome";
export { safeCallbackPath } from "./routes";
