/**
 * The public entry point for an existing next-auth v4 app (`import { … } from "@/next/public"`), the future
 * `edge-session-refresh/next`: everything such an app needs, and nothing more; the rest of src/next is
 * internal. MIGRATING.md walks through it; the fixture in fixtures/recipe-app/ imports only this module,
 * and the demo app (src/app, src/auth, src/middleware.ts) uses it plus the client helpers in src/next/client.
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
export { withSessionRefresh, type BackendUser, type SessionRefreshOptions } from "./with-session-refresh";
export { credentialsFromBackend, withBackendTokens, type CredentialsFromBackendOptions } from "./credentials";
export { createSessionMiddleware, type SessionMiddleware, type SessionMiddlewareConfig, type SecurityHeadersConfig } from "./app-middleware";
export { currentSession } from "./server-session";
export { parseSettings, SETTING_NAMES, type Settings, type Env, type SessionClaims, type BackendTokens } from "@/core";
export { mintSessionCookie, type MintOptions, type MintedSession } from "@/testing/session-cookie";
