/**
 * Edge middleware: refreshes the next-auth session cookie once per expiry, across tabs and instances.
 * It stays `middleware.ts` on the edge runtime (Next 16's `proxy.ts` is Node-only); the logic lives in
 * src/core and src/next, so moving it is this one file.
 */
import { createSessionMiddleware } from "@/next/session-middleware";
import { sessionRuntime } from "@/next/runtime";

export const middleware = createSessionMiddleware({ gate: () => sessionRuntime().gate });

export const config = {
  // Everything but next-auth's own routes, static files and the login page; plus /api/auth/session, so
  // a refocused tab's session fetch joins the same refresh instead of racing the middleware.
  matcher: ["/((?!api/auth/|_next/static/|_next/image|favicon\\.ico|robots\\.txt|login).*)", "/api/auth/session"],
};
