/**
 * The session as server components and route handlers see it: read from the request's cookies, which the
 * middleware has already refreshed and rewritten. Never refreshes (a server component cannot set cookies;
 * next-auth#7558): if the middleware could not refresh, the caller gets the old claims and decides.
 */
import { cookies, headers } from "next/headers.js";
import { asSessionClaims, joinSessionCookie, type SessionClaims } from "../core";
import { sessionRuntime } from "./runtime";
import { REFRESH_UNAVAILABLE_HEADER } from "./request-markers";

export async function currentSession(): Promise<SessionClaims | null> {
  const { codec, gate } = sessionRuntime();
  const jar = new Map((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value] as const));
  return asSessionClaims(await codec.decode(joinSessionCookie(jar, gate.cookieName)));
}

/** True when the middleware already tried to refresh this request's session and the backend did not answer. */
export async function refreshAlreadyUnavailable(): Promise<boolean> {
  try {
    return (await headers()).get(REFRESH_UNAVAILABLE_HEADER) === "1";
  } catch {
    // Outside a request scope (a script, a test) there is no middleware verdict to honour.
    return false;
  }
}
