/**
 * Signs in through the app's own next-auth routes (csrf, then callback/credentials), as a browser form
 * would, and returns the cookie jar. For tests and the load test; no browser needed.
 */

export type CookieJar = Map<string, string>;

export function cookieHeader(jar: ReadonlyMap<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/** One Set-Cookie line: the cookie, and whether it tells the browser to delete it (Max-Age ≤ 0 or Expires past). */
export function parseSetCookie(line: string): { name: string; value: string; expired: boolean } | null {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  if (eq <= 0) return null;
  const expired = attributes.some((attribute) => {
    const [key = "", val = ""] = attribute.split("=").map((s) => s.trim());
    if (key.toLowerCase() === "max-age") return Number(val) <= 0;
    if (key.toLowerCase() === "expires") return Date.parse(val) <= Date.now();
    return false;
  });
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), expired };
}

/** Applies a response's Set-Cookie headers to a jar (expired cookies are removed). */
export function storeCookies(jar: CookieJar, response: Response): CookieJar {
  for (const line of response.headers.getSetCookie()) {
    const cookie = parseSetCookie(line);
    if (cookie === null) continue;
    if (cookie.expired || cookie.value === "") jar.delete(cookie.name);
    else jar.set(cookie.name, cookie.value);
  }
  return jar;
}

export async function signIn(appUrl: string, identifier: string, password: string): Promise<CookieJar> {
  const jar: CookieJar = new Map();
  const csrfResponse = await fetch(`${appUrl}/api/auth/csrf`);
  storeCookies(jar, csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const response = await fetch(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, identifier, password, json: "true" }),
  });
  storeCookies(jar, response);
  await response.body?.cancel();
  if (![...jar.keys()].some((name) => name.includes("session-token"))) {
    throw new Error(`sign-in as ${identifier} set no session cookie (status ${response.status})`);
  }
  return jar;
}

/** Signs out through next-auth's route (csrf, then POST signout), as the app's button does; updates the jar. */
export async function signOut(appUrl: string, jar: CookieJar): Promise<Response> {
  const csrfResponse = await fetch(`${appUrl}/api/auth/csrf`, { headers: { cookie: cookieHeader(jar) } });
  storeCookies(jar, csrfResponse);
  const { csrfToken } = (await csrfResponse.json()) as { csrfToken: string };
  const response = await fetch(`${appUrl}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken, json: "true" }),
  });
  storeCookies(jar, response);
  await response.body?.cancel();
  return response;
}
