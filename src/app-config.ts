/**
 * The demo app's own choices: which of its pages and APIs need a session, where it signs people in, and
 * where they land after signing in when their callbackUrl is missing or refused. The library has no
 * opinion on these; src/middleware.ts and src/auth/options.ts pass them in.
 */

/** Pages that need a session: signed out → the login page, with a callbackUrl back. */
export const PROTECTED_PAGES: readonly string[] = ["/dashboard", "/session"];
/** APIs that need a session: signed out → 401 JSON. */
export const PROTECTED_APIS: readonly string[] = ["/api/profile", "/api/backend"];
/** The sign-in page (next-auth's pages.signIn and pages.error, the middleware's loginPath). */
export const LOGIN_PATH = "/login";
/** Where sign-in lands when the callbackUrl is missing or not a path on this app. */
export const AFTER_SIGN_IN_PATH = "/dashboard";
