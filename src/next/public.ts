/**
 * The public entry point for an existing next-auth v4 app (`import { … } from "@/next/public"`): everything
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
export { withSessionRefresh, type BackendUser } from "./with-session-refresh";
export { credentialsFromBackend, withBackendTokens, type CredentialsFromBackendOptions } from "./credentials";
export { createSessionMiddleware, type SessionMiddleware, type SessionMiddlewareConfig } from "./app-middleware";
export { currentSession } from "./server-session";
export { parseSettings, SETTING_NAMES, type Settings, type Env, type SessionClaims, type BackendTokens } from "@/core";
export { mintSessionCookie, type MintOptions, type MintedSession } from "@/testing/session-cookie";
