/**
 * A simulated browser's cookie jar: what Set-Cookie put in, what the next request's Cookie header carries.
 * Enough of RFC 6265 for one site: names and values, deletion by Max-Age or Expires; no paths or domains.
 */

export type CookieJar = Map<string, string>;

export function cookieHeader(jar: ReadonlyMap<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/**
 * One Set-Cookie line: the cookie, and whether it tells the browser to delete it. A valid Max-Age (an
 * integer) decides, ≤ 0 deletes; without one, an Expires in the past deletes. A line without a name is null.
 */
export function parseSetCookie(
  line: string,
  now = Date.now(),
): { name: string; value: string; expired: boolean } | null {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  const name = eq < 0 ? "" : pair.slice(0, eq).trim();
  if (name === "") return null;
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const value = at < 0 ? "" : attribute.slice(at + 1).trim();
    if (key === "max-age" && /^-?\d+$/.test(value)) maxAge = Number(value);
    if (key === "expires" && !Number.isNaN(Date.parse(value))) expires = Date.parse(value);
  }
  const expired = maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires <= now;
  return { name, value: pair.slice(eq + 1).trim(), expired };
}

/** Applies a response's Set-Cookie headers to `jar` (expired or emptied cookies are removed); returns it. */
export function storeCookies(jar: CookieJar, response: Pick<Response, "headers">): CookieJar {
  for (const line of response.headers.getSetCookie()) {
    const cookie = parseSetCookie(line);
    if (cookie === null) continue;
    if (cookie.expired || cookie.value === "") jar.delete(cookie.name);
    else jar.set(cookie.name, cookie.value);
  }
  return jar;
}

/** next-auth v4's session cookie, chunked or not, `__Secure-` prefixed or not. */
export function hasSessionCookie(jar: ReadonlyMap<string, string>): boolean {
  return [...jar.keys()].some((name) => /(^|\.|-)session-token(\.\d+)?$/.test(name));
}

/** The session cookie's value(s) in one string: what identifies the session a request carried. */
export function sessionCookieValue(jar: ReadonlyMap<string, string>): string {
  return [...jar]
    .filter(([name]) => /session-token(\.\d+)?$/.test(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, value]) => value)
    .join("");
}
