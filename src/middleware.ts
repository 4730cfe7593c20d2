/**
 * The session middleware: refreshes the next-auth session cookie once per expiry, across tabs and instances.
 * As src/middleware.ts it runs on the edge runtime, the default (Vercel's edge; OpenNext on Cloudflare
 * needs it there). `npm run runtime:node` renames it to src/proxy.ts exporting `proxy`, Next 16's Node-only
 * proxy, for self-hosting on Node; `npm run runtime:edge` switches back. The logic lives in the
 * runtime-neutral src/core and src/next either way, so this file is all that changes.
 */
import { createGatedSessionMiddleware as createSessionMiddleware, sessionRuntime } from "edge-session-refresh/next";

export const middleware = createSessionMiddleware({
  gate: () => sessionRuntime().gate,
  security: () => ({ dev: process.env.NODE_ENV !== "production", https: secureAppUrl() }),
});

/** HSTS only when the app's URL is https; a settings error is the gate's to report, not this one's. */
function secureAppUrl(): boolean {
  try {
    return sessionRuntime().settings.secureCookies;
  } catch {
    return false;
  }
}

export const config = {
  // Everything but next-auth's own routes and static files; plus /api/auth/session, so a refocused tab's
  // session fetch joins the same refresh instead of racing the middleware. /login is matched for its
  // security headers (CSP nonce); it is an "optional" route, so it is never redirected.
  matcher: ["/((?!api/auth/|_next/static/|_next/image|favicon\\.ico|robots\\.txt).*)", "/api/auth/session"],
};
