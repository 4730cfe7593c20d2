/**
 * The gate's result as a Next response: the edge middleware, as thin as it can be (the gate decides, this
 * file only translates). Internal: apps build it with the public createSessionMiddleware
 * (create-session-middleware.ts), which supplies the routes, the security headers and the isolate's gate;
 * tests call this with a gate of their own. New cookies go on the response *and* on the request forwarded
 * to the page (rewritten `cookie` header), so server components and route handlers in the same request see
 * the new tokens and never refresh a second time (vercel/next.js#49442, nextauthjs/next-auth#11853).
 */
import { NextResponse, type NextRequest } from "next/server.js";
import { describeError } from "../core/errors";
import { parseCookieHeader, serializeCookieHeader, type CookieWrite } from "../core/session/cookie-jar";
import { RETRY_AFTER_SECONDS } from "../core/refresh/outcome";
import { sessionServerTiming, type GateOutcome, type GateResult, type SessionGate } from "../core/gate/session-gate";
import { PRIVATE_NO_STORE } from "../core/support/cache-control";
import { apiError } from "./api-responses";
import { configurationError, configurationErrorResponse } from "./configuration-error";
import { REFRESH_AHEAD_HEADER, REFRESH_UNAVAILABLE_HEADER, SESSION_OUTCOME_HEADER } from "./request-markers";
import { sanitizeCallbackPath } from "../core/navigation/callback-path";
import type { RouteKind } from "./routes";
import { withSecurityHeaders, type SecurityHeaderOptions } from "./security-headers";

export interface SessionMiddlewareOptions {
  /** The gate to use; injected by tests, else the isolate's runtime. */
  readonly gate: () => SessionGate;
  /** CSP nonce, HSTS and friends on every answer (src/next/security-headers.ts); absent = none (an app's own CSP, or a test). */
  readonly security?: () => SecurityHeaderOptions;
  /** Which paths are guarded and where sign-in lives (sessionRoutes in create-session-middleware.ts). */
  readonly routes: SessionRoutes;
  /** The public origin the login redirect goes to (src/core/navigation/public-origin.ts); default the request's own. */
  readonly origin?: (request: NextRequest) => string;
}

export interface SessionRoutes {
  kind(pathname: string): RouteKind;
  readonly loginPath: string;
}

export function createGatedMiddleware(options: SessionMiddlewareOptions) {
  return async function sessionMiddleware(request: NextRequest): Promise<NextResponse> {
    const started = performance.now();
    const { routes } = options;
    const kind = routes.kind(request.nextUrl.pathname);
    let result: GateResult;
    try {
      const ahead = request.headers.get(REFRESH_AHEAD_HEADER) === "1";
      result = await options.gate().check(parseCookieHeader(request.headers.get("cookie")), { ahead });
    } catch (error) {
      // A configuration error is answered as one (500, the settings to fix), never as an outage.
      const configuration = configurationError(error);
      if (configuration !== undefined)
        return secured(
          request,
          options,
          configurationErrorResponse(kind, request.headers.get("accept"), configuration),
        );
      // A bug, not an expected outcome: keep the cookies, answer 503, log it.
      console.error(
        JSON.stringify({ level: "error", source: "session", event: "middleware-failed", detail: describeError(error) }),
      );
      return secured(request, options, timed(unavailableResponse(kind, RETRY_AFTER_SECONDS), "unavailable", started));
    }
    const login = { path: routes.loginPath, origin: options.origin ?? requestOrigin };
    return secured(
      request,
      options,
      timed(respond(request, kind, result, outcomeMarker(result.outcome, started), login), result.outcome, started),
    );
  };
}

function secured(request: NextRequest, options: SessionMiddlewareOptions, response: NextResponse): NextResponse {
  return options.security ? withSecurityHeaders(request, response, options.security()) : response;
}

interface LoginTarget {
  readonly path: string;
  readonly origin: (request: NextRequest) => string;
}

function requestOrigin(request: NextRequest): string {
  return request.nextUrl.origin;
}

function respond(
  request: NextRequest,
  kind: RouteKind,
  result: GateResult,
  marker: string,
  login: LoginTarget,
): NextResponse {
  switch (result.outcome) {
    case "valid":
      return passOn(request, marker);
    case "refreshed":
    case "joined":
    case "replayed":
      return withCookies(forward(request, result.jar, marker), result.writes);
    case "anonymous":
      if (kind === "page")
        return withCookies(
          redirectToLogin(request, login, { callbackUrl: sanitizeCallbackPath(pathWithQuery(request)) }),
          result.writes,
        );
      if (kind === "api") return withCookies(apiError("signed_out", 401), result.writes);
      return withCookies(
        result.writes.length > 0 ? forward(request, result.jar, marker) : passOn(request, marker),
        result.writes,
      );
    case "rejected":
      if (kind === "page")
        return withCookies(redirectToLogin(request, login, { error: "SessionExpired" }), result.writes);
      if (kind === "api") return withCookies(apiError("session_expired", 401), result.writes);
      return withCookies(forward(request, result.jar, marker), result.writes);
    case "unavailable":
      // An outage never signs anyone out. With an access token still good, carry on with it.
      // Retry-After on the 200s too: the browser's background refresh backs off by it.
      if (kind === "optional")
        return withRetryAfter(forwardMarkedUnavailable(request, marker), result.retryAfterSeconds);
      if (result.stillValid) return withRetryAfter(passOn(request, marker), result.retryAfterSeconds);
      return unavailableResponse(kind, result.retryAfterSeconds);
  }
}

function withRetryAfter(response: NextResponse, retryAfterSeconds: number): NextResponse {
  response.headers.set("retry-after", String(retryAfterSeconds));
  return response;
}

function forward(request: NextRequest, jar: ReadonlyMap<string, string>, marker: string): NextResponse {
  const headers = withOutcome(request, marker);
  if (jar.size > 0) headers.set("cookie", serializeCookieHeader(jar));
  else headers.delete("cookie");
  return NextResponse.next({ request: { headers } });
}

function forwardMarkedUnavailable(request: NextRequest, marker: string): NextResponse {
  const headers = withOutcome(request, marker);
  headers.set(REFRESH_UNAVAILABLE_HEADER, "1");
  return NextResponse.next({ request: { headers } });
}

// --- The outcome on the forwarded request (x-session-outcome), for pages that show it (/session). ---
// Every path that lets a request through sets it, so a client-sent copy never reaches the page.

/** `<outcome>;dur=<ms>`, like the Server-Timing entry, measured up to the gate's decision. */
function outcomeMarker(outcome: GateOutcome, started: number): string {
  return `${outcome};dur=${Math.max(0, performance.now() - started).toFixed(1)}`;
}

function withOutcome(request: NextRequest, marker: string): Headers {
  const headers = new Headers(request.headers);
  headers.delete(SESSION_OUTCOME_HEADER);
  headers.set(SESSION_OUTCOME_HEADER, marker);
  return headers;
}

/** Lets the request through unchanged but for the outcome header (was `NextResponse.next()`). */
function passOn(request: NextRequest, marker: string): NextResponse {
  return NextResponse.next({ request: { headers: withOutcome(request, marker) } });
}
// --- end x-session-outcome ---

function withCookies(response: NextResponse, writes: readonly CookieWrite[]): NextResponse {
  // A response that sets or clears a session must never be stored by any cache.
  if (writes.length > 0) response.headers.set("cache-control", PRIVATE_NO_STORE);
  for (const write of writes) {
    response.cookies.set({
      name: write.name,
      value: write.value,
      httpOnly: write.httpOnly,
      sameSite: write.sameSite,
      path: write.path,
      secure: write.secure,
      expires: new Date(write.expires),
    });
  }
  return response;
}

/**
 * Absolute, on the app's public origin: Next's middleware adapter parses Location with new URL(), so a
 * relative one is a 500 (Next 15 and 16); Next 16 makes a same-origin one relative itself.
 */
function redirectToLogin(request: NextRequest, login: LoginTarget, params: Record<string, string>): NextResponse {
  const url = new URL(login.path, login.origin(request));
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return NextResponse.redirect(url);
}

function unavailableResponse(kind: RouteKind, retryAfterSeconds: number): NextResponse {
  if (kind !== "page") return apiError("session_refresh_unavailable", 503, retryAfterSeconds);
  const headers = { "retry-after": String(retryAfterSeconds), "cache-control": PRIVATE_NO_STORE };
  const html = `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="${retryAfterSeconds}"><title>Try again shortly</title></head><body><main><h1>The sign-in service is not answering</h1><p>You are still signed in. This page tries again in ${retryAfterSeconds} seconds.</p></main></body></html>`;
  return new NextResponse(html, { status: 503, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}

function timed(response: NextResponse, outcome: GateOutcome, started: number): NextResponse {
  response.headers.append("server-timing", sessionServerTiming(outcome, performance.now() - started));
  return response;
}

function pathWithQuery(request: NextRequest): string {
  return `${request.nextUrl.pathname}${request.nextUrl.search}`;
}
