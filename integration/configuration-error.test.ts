/**
 * Production instances with a configuration error, from outside, against real `next start` processes.
 *
 * - No BACKEND_URL (issue 23: it used to refresh against 127.0.0.1:4000 without a word). Every answer through
 *   the middleware is a 500 naming the setting (a page for pages, JSON for APIs), never the outage's 503, and
 *   the log says it once, with the setting's name.
 * - Two different lock stores without SESSION_LOCK_STORE (issue 23, part 1). Only a refresh and a sign-in need
 *   the store: those answer a configuration error naming SESSION_LOCK_STORE, while next-auth's routes that need
 *   no store (csrf, providers, signin, an empty session) and every request without a session stay up.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureAppBuilt, startNextInstance, type NextInstance } from "../test-support/next-app";
import { cookieHeader, postCredentials, storeCookies, type CookieJar } from "../test-support/sign-in";
import { mintSessionCookie } from "edge-session-refresh/testing";

const SECRET = "a-production-secret-that-is-long-enough-0123456789";
/** Nothing listens there: a store or backend that is asked would fail as an outage, not as a configuration error. */
const NOBODY = "127.0.0.1:9";

let app: NextInstance;
let twoStores: NextInstance;

beforeAll(async () => {
  await ensureAppBuilt();
  [app, twoStores] = await Promise.all([
    startNextInstance({ env: { NEXTAUTH_SECRET: SECRET }, ready: (response) => response.status === 500 }),
    startNextInstance({
      env: {
        NEXTAUTH_SECRET: SECRET,
        BACKEND_URL: `http://${NOBODY}`,
        // Two different databases: an Upstash one and an app's own Redis cache (Render, Railway, Heroku).
        UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
        UPSTASH_REDIS_REST_TOKEN: "upstash-token",
        REDIS_URL: "redis://10.0.0.9:6379",
      },
      // The canonical matcher leaves /login out of the middleware: the sign-in page stays up.
      ready: (response) => response.status === 200,
    }),
  ]);
}, 600_000);

afterAll(async () => {
  await Promise.all([app?.stop(), twoStores?.stop()]);
});

afterEach(({ task }) => {
  if (task.result?.state === "fail") console.error(app?.output(), twoStores?.output());
});

describe("production without BACKEND_URL", () => {
  it("pages and APIs answer 500 naming BACKEND_URL, never 503; the log says it once", async () => {
    const api = await fetch(`${app.url}/api/profile`, { redirect: "manual" });
    expect(api.status).toBe(500);
    expect(await api.json()).toMatchObject({ error: "configuration_error", settings: ["BACKEND_URL"] });

    // "/" is an optional path the matcher covers; /login is left out of the middleware by the canonical matcher.
    for (const path of ["/dashboard", "/"]) {
      const page = await fetch(`${app.url}${path}`, { redirect: "manual", headers: { accept: "text/html" } });
      expect(page.status).toBe(500);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(await page.text()).toContain("BACKEND_URL");
    }

    const line = await app.waitForOutput(/"event":"configuration-error"/);
    expect(JSON.parse(line.slice(line.indexOf("{")))).toMatchObject({
      event: "configuration-error",
      settings: ["BACKEND_URL"],
    });
    expect(app.output().match(/"event":"configuration-error"/g)).toHaveLength(1);
  });
});

/** A session cookie whose access token is already past its expiry (a refresh is due) or good for an hour. */
async function session(due: boolean): Promise<string> {
  const accessTokenExpires = Date.now() + (due ? -60_000 : 3_600_000);
  const minted = await mintSessionCookie({
    secret: SECRET,
    tokens: { accessToken: "access-1", refreshToken: "refresh-1", accessTokenExpires },
    user: { id: "user-1", name: "Demo User", email: "demo@example.com" },
  });
  return minted.header;
}

describe("two lock stores configured, SESSION_LOCK_STORE unset", () => {
  it("next-auth's routes that need no store answer as usual", async () => {
    const csrf = await fetch(`${twoStores.url}/api/auth/csrf`);
    expect(csrf.status).toBe(200);
    expect((await csrf.json()) as { csrfToken?: unknown }).toMatchObject({ csrfToken: expect.any(String) });

    const providers = await fetch(`${twoStores.url}/api/auth/providers`);
    expect(providers.status).toBe(200);
    expect(await providers.json()).toMatchObject({ credentials: { id: "credentials", type: "credentials" } });

    // next-auth's own sign-in route sends people to the app's sign-in page.
    const signin = await fetch(`${twoStores.url}/api/auth/signin`, { redirect: "manual" });
    expect(signin.status).toBe(302);
    expect(signin.headers.get("location")).toContain("/login");
    await signin.body?.cancel();

    const anonymous = await fetch(`${twoStores.url}/api/auth/session`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({});
  });

  it("requests without a session pass the middleware: pages answer, protected ones redirect to sign-in", async () => {
    const home = await fetch(`${twoStores.url}/`, { redirect: "manual", headers: { accept: "text/html" } });
    expect(home.status).toBe(200);
    expect(home.headers.get("server-timing")).toContain('desc="anonymous"');
    await home.body?.cancel();

    const dashboard = await fetch(`${twoStores.url}/dashboard`, { redirect: "manual" });
    expect(dashboard.status).toBe(307);
    expect(new URL(dashboard.headers.get("location")!, twoStores.url).pathname).toBe("/login");
    await dashboard.body?.cancel();

    const login = await fetch(`${twoStores.url}/login`);
    expect(login.status).toBe(200);
    await login.body?.cancel();
  });

  it("a due refresh answers 500 naming SESSION_LOCK_STORE, never the outage's 503", async () => {
    const cookie = await session(true);
    const api = await fetch(`${twoStores.url}/api/profile`, { redirect: "manual", headers: { cookie } });
    expect(api.status).toBe(500);
    const body = (await api.json()) as { error: string; settings: string[] };
    expect(body.error).toBe("configuration_error");
    expect(body.settings).toContain("SESSION_LOCK_STORE");

    const page = await fetch(`${twoStores.url}/dashboard`, {
      redirect: "manual",
      headers: { cookie, accept: "text/html" },
    });
    expect(page.status).toBe(500);
    const html = await page.text();
    expect(html).toContain("SESSION_LOCK_STORE");
    expect(html).not.toContain("not answering");

    // Nobody is signed out by it: the cookie is neither cleared nor replaced.
    expect(page.headers.getSetCookie().filter((line) => line.includes("session-token"))).toEqual([]);
  });

  it("a session whose access token is still good needs no store: it is not turned away", async () => {
    const cookie = await session(false);
    const home = await fetch(`${twoStores.url}/`, { redirect: "manual", headers: { cookie, accept: "text/html" } });
    expect(home.status).toBe(200);
    expect(home.headers.get("server-timing")).toContain('desc="valid"');
    await home.body?.cancel();

    const current = await fetch(`${twoStores.url}/api/auth/session`, { headers: { cookie } });
    expect(current.status).toBe(200);
    expect(await current.json()).toMatchObject({ user: { email: "demo@example.com" } });
  });

  it("signing out still works: next-auth clears the cookie (the store's part is logged, not thrown)", async () => {
    const jar: CookieJar = new Map(
      [...(await session(true)).split("; ")].map((pair) => pair.split("=", 2) as [string, string]),
    );
    const csrf = await fetch(`${twoStores.url}/api/auth/csrf`);
    storeCookies(jar, csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch(`${twoStores.url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(response.status).toBe(200);
    await response.body?.cancel();
    storeCookies(jar, response);
    expect([...jar.keys()].some((name) => name.includes("session-token"))).toBe(false);
  });

  it("a sign-in, which needs the store for its limits, is refused naming SESSION_LOCK_STORE; the log says it", async () => {
    const {
      jar,
      response,
      answer: body,
    } = await postCredentials(twoStores.url, {
      identifier: "demo@example.com",
      password: "wrong",
    });
    const answer = `${response.headers.get("location") ?? ""} ${body}`;
    expect(decodeURIComponent(answer)).toContain("SESSION_LOCK_STORE");
    expect(answer).not.toContain("not answering");
    expect([...jar.keys()].some((name) => name.includes("session-token"))).toBe(false);

    const line = await twoStores.waitForOutput(/"event":"configuration-error"/);
    const logged = JSON.parse(line.slice(line.indexOf("{"))) as { settings: string[]; detail: string };
    expect(logged.settings).toContain("SESSION_LOCK_STORE");
    expect(logged.detail).toContain("more than one lock store");
  });
});
