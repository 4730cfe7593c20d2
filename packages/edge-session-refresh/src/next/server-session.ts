/**
 * The session as server code sees it: read from the request's cookies, which the middleware has already
 * refreshed and rewritten. Never refreshes (a server component cannot set cookies; next-auth#7558): if the
 * middleware could not refresh, the caller gets the old claims and decides.
 *
 * Two routers, one reading: the App Router has no request object (next/headers' cookies() is the request's);
 * the Pages Router passes its `req` (getServerSideProps' context.req, an API route's NextApiRequest), whose
 * cookies Next parsed from the same rewritten Cookie header.
 *
 * A request the middleware never saw (no x-session-outcome on it: its matcher misses the path, or
 * middleware.ts sits where Next does not look) carries whatever the cookie holds, possibly an expired token.
 * Development warns once per process with the likely causes; production never hands out an expired or due
 * access token from such a request (null instead).
 */
import { cookies, headers } from "next/headers.js";
import { asSessionClaims, refreshDue, type SessionClaims } from "../core/session/claims";
import { joinSessionCookie } from "../core/session/chunks";
import { parseCookieHeader } from "../core/session/cookie-jar";
import { sessionRuntime } from "./runtime";
import { REFRESH_UNAVAILABLE_HEADER, SESSION_OUTCOME_HEADER } from "./request-markers";

/**
 * A Pages Router request as Next hands it over: an IncomingMessage whose `cookies` Next has parsed
 * (getServerSideProps' `req`, NextApiRequest). Only what the session needs, so both fit without casts.
 */
export interface PagesRouterRequest {
  readonly cookies?: Partial<Record<string, string>>;
  readonly headers: {
    readonly cookie?: string | undefined;
    readonly [SESSION_OUTCOME_HEADER]?: string | string[] | undefined;
  };
}

/** Said once per process in development, when a request reaches currentSession without the middleware. */
export const UNHANDLED_REQUEST_WARNING =
  "[session] currentSession() read a request the session middleware did not handle, so its session was not refreshed. Likely causes: " +
  "the middleware's `config.matcher` does not match this path; or middleware.ts (proxy.ts) is where Next does not look for it: " +
  "it belongs beside the folder that holds `app/` or `pages/` (in `src/` when they are in `src/`, at the root when they are at the root; " +
  "a `src/middleware.ts` beside a root `pages/` or `app/`, or a root one beside `src/app`, is never run). " +
  "In production such a request gets null instead of an expired or due access token.";

let warned = false;

/**
 * The refreshed session claims (`accessToken`, `accessTokenExpires`, identity) or null when signed out.
 * App Router (server components, route handlers): `currentSession()`. Pages Router (getServerSideProps, API
 * routes): `currentSession(req)`.
 *
 * On a request the session middleware did not handle (its matcher misses the path, or middleware.ts is in
 * a folder Next does not read it from): in development the claims as the cookie has them, with a warning
 * once per process; in production null when the access token is expired or due, since nobody refreshed it.
 */
export async function currentSession(req?: PagesRouterRequest): Promise<SessionClaims | null> {
  const jar = req === undefined ? await appRouterCookies() : pagesRouterCookies(req);
  const { codec, gate, settings } = sessionRuntime();
  const claims = asSessionClaims(await codec.decode(joinSessionCookie(jar, gate.cookieName)));
  if (claims === null || (req === undefined ? await appRouterHandled() : pagesRouterHandled(req))) return claims;
  if (process.env.NODE_ENV !== "production") {
    if (!warned) console.warn(UNHANDLED_REQUEST_WARNING);
    warned = true;
    return claims;
  }
  // Nobody refreshed this session: a token past its refresh point is not handed out as if it were fresh.
  return refreshDue(claims, Date.now(), settings.refreshSkewMs) ? null : claims;
}

/** For tests: the next unhandled request warns again. */
export function resetUnhandledRequestWarning(): void {
  warned = false;
}

/** The middleware marks every request it lets through with x-session-outcome (session-middleware.ts). */
async function appRouterHandled(): Promise<boolean> {
  try {
    return (await headers()).get(SESSION_OUTCOME_HEADER) !== null;
  } catch {
    // No request scope (a script): nothing to check against, and nothing a middleware could have done.
    return true;
  }
}

function pagesRouterHandled(req: PagesRouterRequest): boolean {
  return req.headers[SESSION_OUTCOME_HEADER] !== undefined;
}

async function appRouterCookies(): Promise<Map<string, string>> {
  return new Map((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value] as const));
}

/** Next's parsed `req.cookies` when present; otherwise the Cookie header itself (a plain IncomingMessage). */
export function pagesRouterCookies(req: PagesRouterRequest): Map<string, string> {
  if (req === null || typeof req !== "object" || typeof req.headers !== "object" || req.headers === null) {
    throw new TypeError(
      "currentSession(req): req must be the Pages Router request (getServerSideProps' context.req or an API route's req); in the App Router call currentSession() without arguments",
    );
  }
  if (req.cookies !== undefined && req.cookies !== null) {
    const jar = new Map<string, string>();
    for (const [name, value] of Object.entries(req.cookies)) if (typeof value === "string") jar.set(name, value);
    return jar;
  }
  return parseCookieHeader(req.headers.cookie);
}

/** True when the middleware already tried to refresh this request's session and the backend did not answer. */
export async function refreshAlreadyUnavailable(): Promise<boolean> {
  try {
    return (await headers()).get(REFRESH_UNAVAILABLE_HEADER) === "1";
  } catch {
    // Outside an App Router request scope (a Pages Router API route such as pages/api/auth/[...nextauth],
    // a script, a test) next/headers has no request: there is no middleware verdict to honour.
    return false;
  }
}
