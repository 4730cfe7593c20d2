/**
 * Cookie headers in and out, framework-free: parse a `Cookie` request header into a jar, describe the
 * session cookies to write (next-auth's attributes), and rewrite the request's `Cookie` header so the
 * page rendered in the same request sees what the browser will see next time.
 */
import { chunkSessionCookie, sessionCookieNamesIn } from "./chunks";

/** One cookie to set on the response (serializeSetCookie turns it into a `Set-Cookie` value). */
export interface CookieWrite {
  readonly name: string;
  readonly value: string;
  /** Epoch ms; 0 expires the cookie. */
  readonly expires: number;
  readonly httpOnly: true;
  readonly sameSite: "lax";
  readonly path: "/";
  readonly secure: boolean;
}

/** Parses a `Cookie` header; the first of two same-named cookies wins, as browsers order them by path. */
export function parseCookieHeader(header: string | null | undefined): Map<string, string> {
  const jar = new Map<string, string>();
  if (!header) return jar;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (name && !jar.has(name)) jar.set(name, pair.slice(eq + 1).trim());
  }
  return jar;
}

/** A cookie jar (name → value) as a `Cookie` request header value. */
export function serializeCookieHeader(jar: ReadonlyMap<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/**
 * The writes that replace whatever session cookies the jar holds with `jwe` (chunked like next-auth), and
 * expire the chunks that are no longer written. `jwe === null` clears the session.
 */
export function sessionCookieWrites(
  jar: ReadonlyMap<string, string>,
  name: string,
  jwe: string | null,
  options: { secure: boolean; expires: number },
): CookieWrite[] {
  const base = { httpOnly: true, sameSite: "lax", path: "/", secure: options.secure } as const;
  const fresh = jwe === null ? [] : chunkSessionCookie(name, jwe);
  const freshNames = new Set(fresh.map((cookie) => cookie.name));
  const stale = sessionCookieNamesIn(jar.keys(), name).filter((existing) => !freshNames.has(existing));
  return [
    ...stale.map((staleName) => ({ ...base, name: staleName, value: "", expires: 0 })),
    ...fresh.map((cookie) => ({ ...base, name: cookie.name, value: cookie.value, expires: options.expires })),
  ];
}

/** The jar after the writes: what the next request from this browser will carry. */
export function applyCookieWrites(
  jar: ReadonlyMap<string, string>,
  writes: readonly CookieWrite[],
): Map<string, string> {
  const next = new Map(jar);
  for (const write of writes) {
    if (write.expires === 0) next.delete(write.name);
    else next.set(write.name, write.value);
  }
  return next;
}

/** One write as a `Set-Cookie` header value, with the attributes Next's `response.cookies.set` gives it. */
export function serializeSetCookie(write: CookieWrite): string {
  const attributes = [
    `${write.name}=${write.value}`,
    `Path=${write.path}`,
    `Expires=${new Date(write.expires).toUTCString()}`,
    "HttpOnly",
    `SameSite=${write.sameSite}`,
  ];
  if (write.secure) attributes.push("Secure");
  return attributes.join("; ");
}
