/**
 * The session middleware: refreshes the next-auth session cookie once per expiry, across tabs and instances.
 * As src/middleware.ts it runs on the edge runtime, the default (Vercel's edge; OpenNext on Cloudflare
 * needs it there). `npm run runtime:node` renames it to src/proxy.ts exporting `proxy`, Next 16's Node-only
 * proxy, for self-hosting on Node; `npm run runtime:edge` switches back. The logic lives in the
 * runtime-neutral src/core and src/next either way, so this file is all that changes.
 */
import { createSessionMiddleware } from "edge-session-refresh/next";
import { LOGIN_PATH, PROTECTED_APIS, PROTECTED_PAGES } from "./app-config";

export const middleware = createSessionMiddleware({
  protectedPages: PROTECTED_PAGES,
  protectedApis: PROTECTED_APIS,
  loginPath: LOGIN_PATH,
  // The strict nonce CSP, chosen explicitly: every page of this app is rendered dynamically
  // (`export const dynamic = "force-dynamic"`), so each one carries the request's nonce. An app with
  // prerendered pages keeps the default (security headers that cannot block what a page loads).
  security: { csp: "nonce" },
});

export const config = {
  // The canonical matcher (../shared/CONTRACT.md; scripts/matcher-literal.test.ts keeps every copy equal):
  // everything but next-auth's own routes, static files and the login page; plus /api/auth/session, so a
  // refocused tab's session fetch joins the same refresh instead of racing the middleware.
  matcher: ["/((?!api/auth/|_next/static/|_next/image|favicon\\.ico|login).*)", "/api/auth/session"],
};
