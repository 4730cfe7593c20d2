/**
 * The session as server components and route handlers see it: read from the request's cookies, which the
 * middleware has already refreshed and rewritten. Never refreshes (a server component cannot set cookies;
 * next-auth#7558): if the middleware could not refresh, the caller gets the old claims and decides.
 */
import { cookies } from "next/headers";
import { asSessionClaims, joinSessionCookie, type SessionClaims } from "@/core";
import { sessionRuntime } from "./runtime";

export async function currentSession(): Promise<SessionClaims | null> {
  const { codec, gate } = sessionRuntime();
  const jar = new Map((await cookies()).getAll().map((cookie) => [cookie.name, cookie.value] as const));
  return asSessionClaims(await codec.decode(joinSessionCookie(jar, gate.cookieName)));
}
