/**
 * The session as server code sees it: read from the request's cookies, which the middleware has already
 * refreshed and rewritten. Never refreshes (a server component cannot set cookies; next-auth#7558): if the
 * middleware could not refresh, the caller gets the old claims and decides.
 *
 * Two routers, one reading: the App Router has no request object (next/headers' cookies() is the request's);
 * the Pages Router passes its `req` (getServerSideProps' context.req, an API route's NextApiRequest), whose
 * cookies Next parsed from the same rewritten Cookie header.
 */
import { cookies, headers } from "next/headers.js";
import { asSessionClaims, type SessionClaims } from "../core/session/claims";
import { joinSessionCookie } from "../core/session/chunks";
import { parseCookieHeader } from "../core/session/cookie-jar";
import { sessionRuntime } from "./runtime";
import { REFRESH_UNAVAILABLE_HEADER } from "./request-markers";

/**
 * A Pages Router request as Next hands it over: an IncomingMessage whose `cookies` Next has parsed
 * (getServerSideProps' `req`, NextApiRequest). Only what the session needs, so both fit without casts.
 */
export interface PagesRouterRequest {
  readonly cookies?: Partial<Record<string, string>>;
  readonly headers: { readonly cookie?: string | undefined };
}

/**
 * The refreshed session claims (`accessToken`, `accessTokenExpires`, identity) or null when signed out.
 * App Router (server components, route handlers): `currentSession()`. Pages Router (getServerSideProps, API
 * routes): `currentSession(req)`.
 */
export async function currentSession(req?: PagesRouterRequest): Promise<SessionClaims | null> {
  const jar = req === undefined ? await appRouterCookies() : pagesRouterCookies(req);
  const { codec, gate } = sessionRuntime();
  return asSessionClaims(await codec.decode(joinSessionCookie(jar, gate.cookieName)));
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
