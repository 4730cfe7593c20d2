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
import { publicOrigin, trustsForwardedHeaders } from "../core/navigation/public-origin";
import {
  checkedCspAdditions,
  CSP_POLICIES,
  type CspPolicy,
  type SecurityHeaderOptions,
  type SecurityHeadersConfig,
} from "./security-headers";

/** createSessionMiddleware's options: the guarded path prefixes, the sign-in page and the security headers. */
export interface SessionMiddlewareConfig {
  /** Path prefixes of pages that need a session: signed out → redirect to `loginPath?callbackUrl=…`. */
  readonly protectedPages: readonly string[];
  /** Path prefixes of APIs that need a session: signed out → 401 JSON `{ error: "signed_out" }`. */
  readonly protectedApis?: readonly string[];
  /** Your sign-in page (default `/login`); also where a refused refresh lands, with `?error=SessionExpired`. */
  readonly loginPath?: string;
  /**
   * The security headers on every answer. On by default, and safe for every page, static or not:
   * `X-Content-Type-Options: nosniff`, a Referrer-Policy, HSTS when NEXTAUTH_URL is https, and clickjacking
   * protection (`X-Frame-Options: SAMEORIGIN`, a CSP of `frame-ancestors 'self'` only). `{ csp: "nonce" }`
   * chooses the strict nonce-based CSP instead: only for apps whose pages are all dynamically rendered,
   * since a prerendered page has no nonce and its scripts are blocked. `{ contentSecurityPolicy: { … } }`
   * adds directives or sources to either; `false` turns them all off (an app that sends its own).
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
  /** The environment the login redirect's public origin is read from (NEXTAUTH_URL, AUTH_TRUST_HOST, VERCEL); default process.env. */
  readonly env?: () => Readonly<Record<string, string | undefined>>;
  /** Where the one-time development warning about the nonce policy goes (default console.warn). */
  readonly warn?: (line: string) => void;
}

/** The same middleware on an injected gate (tests). Internal: src/next/index.ts does not export it. */
export function sessionMiddlewareWith(
  config: SessionMiddlewareConfig,
  deps: MiddlewareDependencies,
): SessionMiddleware {
  const routes = sessionRoutes(config);
  const origin = loginOrigin(deps.env ?? (() => process.env));
  if (config.security === false) return createGatedMiddleware({ gate: deps.gate, routes, origin });
  const cspAdditions = checkedCspAdditions(config.security?.contentSecurityPolicy ?? {});
  const policy = checkedPolicy(config.security?.csp);
  const environment = deps.environment ?? isolateEnvironment;
  const warn = deps.warn ?? ((line: string) => console.warn(line));
  let warned = false;
  const security = (): SecurityHeaderOptions => {
    const current = environment();
    if (policy === "nonce" && current.dev && !warned) {
      // The middleware never sees whether a page was prerendered; development is where a person reads this.
      warned = true;
      warn(
        JSON.stringify({
          level: "warn",
          source: "session",
          event: "nonce-csp-needs-dynamic-pages",
          setting: "security.csp",
          detail:
            'security.csp is "nonce": a prerendered (static) page has no nonce, so its scripts are blocked and it never hydrates; render every page dynamically, or leave csp at the default "baseline"',
        }),
      );
    }
    return { ...current, policy, cspAdditions };
  };
  return createGatedMiddleware({ gate: deps.gate, routes, security, origin });
}

/**
 * The login redirect's origin: NEXTAUTH_URL, else the forwarded host when the proxy is trusted (Vercel,
 * AUTH_TRUST_HOST), else the Host the request came with (src/core/navigation/public-origin.ts).
 */
function loginOrigin(env: () => Readonly<Record<string, string | undefined>>): (request: NextRequest) => string {
  return (request) => {
    const current = env();
    return publicOrigin({
      appUrl: current.NEXTAUTH_URL,
      trustForwardedHeaders: trustsForwardedHeaders(current),
      headers: request.headers,
      requestOrigin: request.nextUrl.origin,
    });
  };
}

function checkedPolicy(policy: CspPolicy | undefined): CspPolicy {
  if (policy === undefined) return "baseline";
  if (!CSP_POLICIES.includes(policy))
    throw new Error(
      `[session] security.csp must be one of ${CSP_POLICIES.map((name) => `"${name}"`).join(", ")}, got ${JSON.stringify(policy)}`,
    );
  return policy;
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
  if (!loginPath.startsWith("/") || loginPath.startsWith("//"))
    throw new Error(`loginPath must be a path on this site, got ${JSON.stringify(loginPath)}`);
  if (pages.some((prefix) => underPrefix(loginPath, prefix)))
    throw new Error(`loginPath ${loginPath} is inside a protected page prefix: nobody could sign in`);
  return { loginPath, kind: routeKindFor(pages, apis) };
}

function checkedPrefixes(prefixes: readonly string[], name: string): string[] {
  const bad = prefixes.filter((prefix) => !prefix.startsWith("/") || prefix === "/" || prefix.endsWith("/"));
  if (bad.length > 0)
    throw new Error(
      `${name}: each entry is a path prefix like "/dashboard" (not "/" nor ending in "/"), got ${JSON.stringify(bad)}`,
    );
  return [...prefixes];
}
