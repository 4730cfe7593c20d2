/**
 * The public entry point for an existing next-auth v4 app (`import { … } from "./public"`): everything
 * such an app needs, and nothing more. MIGRATING.md walks through it; the fixture in fixtures/recipe-app/
 * imports only this module.
 *
 * - `withSessionRefresh(authOptions)` wraps your AuthOptions (codec, refresh through the coordinator, no
 *   token in the browser's session, sign-out revocation); `credentialsFromBackend()` / `withBackendTokens()`
 *   build what your Credentials provider's authorize() returns.
 * - `createSessionMiddleware({ protectedPages, protectedApis, loginPath })` for middleware.ts; its
 *   `config.matcher` must be a literal in that file (Next reads it statically), see MIGRATING.md.
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
    /** Set while the backend could not refresh the session (it is kept; the next request tries again). */
    error?: "RefreshUnavailable";
  }
}

export { withSessionRefresh, type BackendUser } from "./with-session-refresh";
export { credentialsFromBackend, withBackendTokens, type CredentialsFromBackendOptions } from "./credentials";
export { createSessionMiddleware, type SessionMiddleware, type SessionMiddlewareConfig } from "./app-middleware";
export { currentSession } from "./server-session";
export { parseSettings, SETTING_NAMES, type Settings, type Env, type SessionClaims, type BackendTokens } from "../core";
export { mintSessionCookie, type MintOptions, type MintedSession } from "../testing/session-cookie";

// --- What the demo app still reaches beyond the surface above (curated in issue 14's adapter work). ---
export { sessionRuntime } from "./runtime";
export { apiError, PRIVATE_NO_STORE } from "./api-responses";
export { backendProxyConfig, proxyToBackend, type BackendProxyConfig } from "./backend-proxy";
export { fetchBackendStats } from "./backend-stats";
export { OUTCOME_DESCRIPTIONS, requestSessionOutcome } from "./session-outcome";
export { safeCallbackPath } from "./routes";
export { createSessionMiddleware as createGatedSessionMiddleware } from "./session-middleware";
export { sameOriginRedirect } from "../core/navigation/callback-path";
