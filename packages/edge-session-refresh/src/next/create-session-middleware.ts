/**
 * createSessionMiddleware, the session middleware for an app: which pages and APIs are guarded, where sign-in lives, and the
 * security headers every answer carries. The refresh itself is the isolate's runtime (settings from
 * process.env, the shared lock store). docs/CONFIGURATION.md, "The middleware", documents the options.
 */
import type { NextRequest, NextResponse } from "next/server.js";
import type { SessionGate } from "../core/gate/session-gate";
import { sessionRuntime } from "./runtime";
import { createGatedMiddleware, type SessionRoutes } from "./gate-response";
import { underPrefix } from "../core/navigation/under-prefix";
import { DEFAULT_LOGIN_PATH, routeKindFor } from "./routes";
import { checkedCspAdditions, type SecurityHeaderOptions, type SecurityHeadersConfig } from "./security-headers";

/** createSessionMiddleware's options: the guarded path prefixes, the sign-in page and the security headers. */
export interface SessionMiddlewareConfig {
  /** Path prefixes of pages that need a session: signed out → redirect to `loginPath?callbackUrl=…`. */
  readonly protectedPages: readonly string[];
  /** Path prefixes of APIs that need a session: signed out → 401 JSON `{ error: "signed_out" }`. */
  readonly protectedApis?: readonly string[];
  /** Your sign-in page (default `/login`); also where a refused refresh lands, with `?error=SessionExpired`. */
  readonly loginPath?: string;
  /**
   * The security headers on every answer: a nonce-based Content-Security-Policy with
   * `frame-ancestors 'none'`, `X-Content-Type-Options: nosniff`, a Referrer-Policy, and HSTS when
   * NEXTAUTH_URL is https. On by default; `{ contentSecurityPolicy: { "img-src": ["https://cdn.example"] } }`
   * adds sources; `false` turns them all off (an app that sends its own CSP).
   */
  readonly security?: SecurityHeadersConfig | false;
}

/** The middleware function createSessionMiddleware returns, for `export const middleware` (or `proxy`). */
export type SessionMiddleware = (request: NextRequest) => Promise<NextResponse>;

/**
 * `export const middleware = createSessionMiddleware({ protectedPages: ["/dashboard"], protectedApis: ["/api/profile"] })`
 * in middleware.ts (or `export const proxy = …` in Next 16's proxy.ts). Every other path the matcher lets
 * through only gets its session refreshed when it has one, and is never turned away. A config that cannot
 * work throws here, when the module loads, not at the first request.
 */
export function createSessionMiddleware(config: SessionMiddlewareConfig): SessionMiddleware {
  return sessionMiddlewareWith(config, { gate: () => sessionRuntime().gate });
}

/** What the public factory takes from the isolate, injected instead by tests. Not part of the public surface. */
export interface MiddlewareDependencies {
  readonly gate: () => SessionGate;
  /** Development build, https app URL; default NODE_ENV and NEXTAUTH_URL through the isolate's settings. */
  readonly environment?: () => { readonly dev: boolean; readonly https: boolean };
}

/** The same middleware on an injected gate (tests). Internal: src/next/index.ts does not export it. */
export function sessionMiddlewareWith(config: SessionMiddlewareConfig, deps: MiddlewareDependencies): SessionMiddleware {
  const routes = sessionRoutes(config);
  if (config.security === false) return createGatedMiddleware({ gate: deps.gate, routes });
  const cspAdditions = checkedCspAdditions(config.security?.contentSecurityPolicy ?? {});
  const environment = deps.environment ?? isolateEnvironment;
  const security = (): SecurityHeaderOptions => ({ ...environment(), cspAdditions });
  return createGatedMiddleware({ gate: deps.gate, routes, security });
}

/** HSTS only when the app's URL is https; a settings error is the gate's to report (503), not this one's. */
function isolateEnvironment(): { dev: boolean; https: boolean } {
  const dev = process.env.NODE_ENV !== "production";
  try {
    return { dev, https: sessionRuntime().settings.secureCookies };
  } catch {
    return { dev, https: false };
  }
}

/** The route rules of a config; exported for tests. */
export function sessionRoutes(config: SessionMiddlewareConfig): SessionRoutes {
  const pages = checkedPrefixes(config.protectedPages, "protectedPages");
  const apis = checkedPrefixes(config.protectedApis ?? [], "protectedApis");
  const loginPath = config.loginPath ?? DEFAULT_LOGIN_PATH;
  if (!loginPath.startsWith("/") || loginPath.startsWith("//")) throw new Error(`loginPath must be a path on this site, got ${JSON.stringify(loginPath)}`);
  if (pages.some((prefix) => underPrefix(loginPath, prefix))) throw new Error(`loginPath ${loginPath} is inside a protected page prefix: nobody could sign in`);
  return { loginPath, kind: routeKindFor(pages, apis) };
}

function checkedPrefixes(prefixes: readonly string[], name: string): string[] {
  const bad = prefixes.filter((prefix) => !prefix.startsWith("/") || prefix === "/" || prefix.endsWith("/"));
  if (bad.length > 0) throw new Error(`${name}: each entry is a path prefix like "/dashboard" (not "/" nor ending in "/"), got ${JSON.stringify(bad)}`);
  return [...prefixes];
}
