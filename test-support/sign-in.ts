/**
 * Signs in through the app's own next-auth routes (csrf, then callback/credentials), as a browser form
 * would, and returns the cookie jar. For tests and the load test; no browser needed.
 */

export type CookieJar = Map<string, string>;

export function cookieHeader(jar: ReadonlyMap<string, string>): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

/**
 * One Set-Cookie line: the cookie, and whether it tells the browser to delete it. As RFC 6265: a valid
 * Max-Age (an integer) decides, ≤ 0 deletes; without one, an Expires in the past deletes; an invalid
 * Max-Age or Expires is ignored. A line without a non-empty name is null.
 */
export function parseSetCookie(line: string): { name: string; value: string; expired: boolean } | null {
  const [pair = "", ...attributes] = line.split(";");
  const eq = pair.indexOf("=");
  const name = eq < 0 ? "" : pair.slice(0, eq).trim();
  if (name === "") return null;
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const at = attribute.indexOf("=");
    const key = (at < 0 ? attribute : attribute.slice(0, at)).trim().toLowerCase();
    const val = at < 0 ? "" : attribute.slice(at + 1).trim();
    if (key === "max-age" && /^-?\d+$/.test(val)) maxAge = Number(val);
    if (key === "expires" && !Number.isNaN(Date.parse(val))) expires = Date.parse(val);
  }
  const expired = maxAge !== undefined ? maxAge <= 0 : expires !== undefined && expires <= Date.now();
  return { name, value: pair.slice(eq + 1).trim(), expired };
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

/**
 * One POST to next-auth's Credentials callback with these form fields (csrf fetched first), as an app's own
 * form does with `redirect: false`; `headers` go on both requests (a proxy's client-address header). The jar
 * holds the cookies set, the answer is next-auth's JSON (`{ url }`, a refusal's `error` in it) as text.
 */
export async function postCredentials(
  appUrl: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ jar: CookieJar; response: Response; answer: string }> {
  const jar: CookieJar = new Map();
  const csrf = await fetch(`${appUrl}/api/auth/csrf`, { headers });
  storeCookies(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
    body: new URLSearchParams({ ...fields, csrfToken, json: "true" }),
  });
  storeCookies(jar, response);
  return { jar, response, answer: await response.text() };
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
