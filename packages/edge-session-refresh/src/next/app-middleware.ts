/**
 * The session middleware for an app of your own: which pages and APIs are guarded, and where sign-in lives.
 * The refresh itself is the isolate's runtime (settings from process.env, the shared lock store).
 */
import type { NextRequest, NextResponse } from "next/server.js";
import { sessionRuntime } from "./runtime";
import { createSessionMiddleware as createGatedMiddleware, type SessionRoutes } from "./session-middleware";
import { routeKindFor, underPrefix } from "./routes";

export interface SessionMiddlewareConfig {
  /** Path prefixes of pages that need a session: signed out → redirect to `loginPath?callbackUrl=…`. */
  readonly protectedPages: readonly string[];
  /** Path prefixes of APIs that need a session: signed out → 401 JSON `{ error: "signed_out" }`. */
  readonly protectedApis?: readonly string[];
  /** Your sign-in page (default `/login`); also where a refused refresh lands, with `?error=SessionExpired`. */
  readonly loginPath?: string;
}

export type SessionMiddleware = (request: NextRequest) => Promise<NextResponse>;

/**
 * `export const middleware = createSessionMiddleware({ protectedPages: ["/dashboard"], protectedApis: ["/api/profile"] })`
 * in middleware.ts (or `export const proxy = …` in Next 16's proxy.ts). Every other path the matcher lets
 * through only gets its session refreshed when it has one, and is never turned away.
 */
export function createSessionMiddleware(config: SessionMiddlewareConfig): SessionMiddleware {
  return createGatedMiddleware({ gate: () => sessionRuntime().gate, routes: sessionRoutes(config) });
}

/** The route rules of a config; exported for tests. */
export function sessionRoutes(config: SessionMiddlewareConfig): SessionRoutes {
  const pages = checkedPrefixes(config.protectedPages, "protectedPages");
  const apis = checkedPrefixes(config.protectedApis ?? [], "protectedApis");
  const loginPath = config.loginPath ?? "/login";
  if (!loginPath.startsWith("/") || loginPath.startsWith("//")) throw new Error(`loginPath must be a path on this site, got ${JSON.stringify(loginPath)}`);
  if (pages.some((prefix) => underPrefix(loginPath, prefix))) throw new Error(`loginPath ${loginPath} is inside a protected page prefix: nobody could sign in`);
  return { loginPath, kind: routeKindFor(pages, apis) };
}

function checkedPrefixes(prefixes: readonly string[], name: string): string[] {
  const bad = prefixes.filter((prefix) => !prefix.startsWith("/") || prefix === "/" || prefix.endsWith("/"));
  if (bad.length > 0) throw new Error(`${name}: each entry is a path prefix like "/dashboard" (not "/" nor ending in "/"), got ${JSON.stringify(bad)}`);
  return [...prefixes];
}
