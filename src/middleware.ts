/**
 * The session middleware: refreshes the next-auth session cookie once per expiry, across tabs and instances.
 * As src/middleware.ts it runs on the edge runtime, the default (Vercel's edge; OpenNext on Cloudflare
 * needs it there). `npm run runtime:node` renames it to src/proxy.ts exporting `proxy`, Next 16's Node-only
 * proxy, for self-hosting on Node; `npm run runtime:edge` switches back. The logic lives in the
 * runtime-neutral src/core and src/next either way, so this file is all that changes.
 */
import { createSessionMiddleware } from "edge-session-refresh/next";
import { LOGIN_PATH, PROTECTED_APIS, PROTECTED_PAGES } from "./app-config";

// Security headers (nonce CSP, nosniff, Referrer-Policy, HSTS on https) are the factory's default.
export const middleware = createSessionMiddleware({ protectedPages: PROTECTED_PAGES, protectedApis: PROTECTED_APIS, loginPath: LOGIN_PATH });

export const config = {
  // Everything but next-auth's own routes and static files; plus /api/auth/session, so a refocused tab's
  // session fetch joins the same refresh instead of racing the middleware. /login is matched for its
  // security headers (CSP nonce); it is an "optional" route, so it is never redirected.
  matcher: ["/((?!api/auth/|_next/static/|_next/image|favicon\\.ico|robots\\.txt).*)", "/api/auth/session"],
};
