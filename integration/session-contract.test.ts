/**
 * The routes and cookie rules of docs/ARCHITECTURE.md ("Behaviour", "The session cookie"), from outside, against one real `next start` instance with the
 * Redis lock store and the reference backend: signed out, tampered cookies, refused refreshes, backend
 * outages, what /api/auth/session and the dashboard reveal, and next-auth's own cookie format.
 */
import { encode } from "next-auth/jwt";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { ensureAppBuilt, startNextInstance, type NextInstance } from "../test-support/next-app";
import { freePort } from "../test-support/ports";
import { UNAVAILABLE_MARKER_TTL_MS, watchKeyExpiry } from "../test-support/key-expiry";
import { storeCookies } from "../test-support/sign-in";
import {
  DEMO_EMAIL,
  SESSION_COOKIE,
  backendLogin,
  backendRefresh,
  decodeWithNextAuth,
  expiredSession,
  freshExpiredSession,
  sessionOutcome,
  sessionSetCookie,
  startStack,
  type Stack,
} from "../test-support/stack";
import { mintSessionCookie } from "edge-session-refresh/testing";

let stack: Stack;
let app: string;

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({ instances: 1, backend: { refreshLatencyMs: 50 } });
  app = stack.instances[0]!.url;
});

afterAll(async () => {
  await stack?.stop();
});

beforeEach(() => {
  stack.backend.setOptions({ failMode: "none" });
  stack.backend.resetStats();
});

afterEach(({ task }) => {
  // A failed test prints what the instances logged, which usually says why.
  if (task.result?.state === "fail" && stack) console.error(stack.output());
});

function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${app}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

/** pathname + search of a redirect, after checking it stays on the app's own host. */
function redirectTarget(response: Response): string {
  expect([302, 303, 307, 308]).toContain(response.status);
  const location = response.headers.get("location");
  expect(location).toBeTruthy();
  const target = new URL(location!, app);
  expect(target.port).toBe(new URL(app).port);
  return `${target.pathname}${target.search}`;
}

async function expectJson401(response: Response, error: string): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(await response.json()).toMatchObject({ error });
}

/** A session whose access token is still good, minted with our helper. */
async function validSession(): Promise<{ header: string; value: string; refreshToken: string; accessToken: string }> {
  const tokens = await backendLogin(stack.backend.url);
  const minted = await mintSessionCookie({
    secret: stack.secret,
    tokens,
    user: { id: "user-1", name: "Demo User", email: DEMO_EMAIL },
  });
  expect(minted.cookies).toHaveLength(1);
  return {
    header: minted.header,
    value: minted.cookies[0]!.value,
    refreshToken: tokens.refreshToken,
    accessToken: tokens.accessToken,
  };
}

describe("signed out", () => {
  it("redirects /dashboard to /login with a callbackUrl and answers /api/profile with 401 JSON", async () => {
    const page = await get("/dashboard");
    expect(redirectTarget(page)).toBe("/login?callbackUrl=%2Fdashboard");
    expect(sessionOutcome(page.headers)).toBe("anonymous");

    const api = await get("/api/profile");
    await expectJson401(api, "signed_out");
    expect(sessionOutcome(api.headers)).toBe("anonymous");

    // The login page itself renders the form: the middleware passes it (for its security headers), never redirects it.
    const login = await get("/login?callbackUrl=%2Fdashboard");
    expect(login.status).toBe(200);
    const html = await login.text();
    expect(html).toContain('name="identifier"');
    expect(html).toContain('name="password"');
  });

  it("keeps the query string in the callbackUrl", async () => {
    expect(redirectTarget(await get("/dashboard/settings?tab=2"))).toBe(
      `/login?callbackUrl=${encodeURIComponent("/dashboard/settings?tab=2")}`,
    );
  });
});

describe("a tampered or foreign cookie", () => {
  it("counts as signed out (redirect, 401, cookie expired), never a 500", async () => {
    const { value } = await validSession();
    const parts = value.split(".");
    expect(parts).toHaveLength(5);
    const ciphertext = parts[3]!;
    const middle = Math.floor(ciphertext.length / 2);
    parts[3] = `${ciphertext.slice(0, middle)}${ciphertext[middle] === "A" ? "B" : "A"}${ciphertext.slice(middle + 1)}`;
    const tampered = `${SESSION_COOKIE}=${parts.join(".")}`;
    // A cookie under another secret, and plain garbage, are no better.
    const foreign = (
      await mintSessionCookie({ secret: "some-other-secret-0123456789", tokens: await backendLogin(stack.backend.url) })
    ).header;
    const garbage = `${SESSION_COOKIE}=not-a-jwe`;

    for (const cookie of [tampered, foreign, garbage]) {
      const page = await get("/dashboard", cookie);
      expect(redirectTarget(page)).toBe("/login?callbackUrl=%2Fdashboard");
      expect(sessionSetCookie(page)?.cleared).toBe(true);

      const api = await get("/api/profile", cookie);
      await expectJson401(api, "signed_out");

      const session = await get("/api/auth/session", cookie);
      expect(session.status).toBe(200);
      expect(await session.json()).toEqual({});
    }
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 0 });
  });
});

describe("a refresh the backend refuses", () => {
  it("clears the cookies, sends pages to /login?error=SessionExpired and APIs a 401 JSON", async () => {
    // The refresh token in this cookie was already rotated at the backend, behind the app's back: reuse.
    const tokens = await backendLogin(stack.backend.url);
    await backendRefresh(stack.backend.url, tokens.refreshToken);
    stack.backend.resetStats();
    const expired = await expiredSession(stack.secret, tokens);

    const page = await get("/dashboard", expired.header);
    expect(redirectTarget(page)).toBe("/login?error=SessionExpired");
    expect(sessionOutcome(page.headers)).toBe("rejected");
    expect(sessionSetCookie(page)?.cleared).toBe(true);

    const api = await get("/api/profile", expired.header);
    await expectJson401(api, "session_expired");
    expect(sessionOutcome(api.headers)).toBe("rejected");
    expect(sessionSetCookie(api)?.cleared).toBe(true);

    // next-auth's session route: an empty session, and the cookie cleared there too.
    const session = await get("/api/auth/session", expired.header);
    expect(session.status).toBe(200);
    expect(await session.json()).toEqual({});
    expect(sessionSetCookie(session)?.cleared).toBe(true);

    // The refusal is remembered for the same token: the later requests did not ask the backend again.
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 1, refreshes: 0, reuseDetections: 1 });

    // The login page explains why.
    const login = await get("/login?error=SessionExpired");
    expect(await login.text()).toContain("Your session has expired");
  });
});

describe("the backend is down", () => {
  it("answers 503 with Retry-After, keeps the session, and refreshes once the backend is back", async () => {
    const session = await freshExpiredSession(stack);
    const watch = await watchKeyExpiry(stack.redis.url);
    onTestFinished(() => watch.close());
    stack.backend.setOptions({ failMode: "down" });

    const api = await get("/api/profile", session.header);
    expect(api.status).toBe(503);
    expect(Number(api.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(api.headers.get("content-type")).toMatch(/^application\/json/);
    expect(sessionOutcome(api.headers)).toBe("unavailable");
    expect(sessionSetCookie(api)).toBeNull();

    const page = await get("/dashboard", session.header);
    expect(page.status).toBe(503);
    expect(Number(page.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(sessionSetCookie(page)).toBeNull();

    // next-auth's session route, during the outage: still signed in, not an empty session.
    const during = await get("/api/auth/session", session.header);
    expect(during.status).toBe(200);
    const duringBody = (await during.json()) as { user?: { email?: string } };
    expect(duringBody.user?.email).toBe(DEMO_EMAIL);
    expect(sessionSetCookie(during)?.cleared ?? false).toBe(false);

    expect(stack.backend.stats()).toMatchObject({ refreshes: 0, reuseDetections: 0 });

    stack.backend.setOptions({ failMode: "none" });
    // The failed refresh left an "unavailable" marker for the retry window: others back off until it ends.
    await watch.shortLivedKeysExpired(UNAVAILABLE_MARKER_TTL_MS);
    const after = await get("/api/profile", session.header);
    expect(after.status).toBe(200);
    expect(sessionOutcome(after.headers)).toBe("refreshed");
    expect(((await after.json()) as { profile: { email: string } }).profile.email).toBe(DEMO_EMAIL);
    const claims = await decodeWithNextAuth(stack.secret, sessionSetCookie(after)!.value);
    expect(claims?.refreshToken).not.toBe(session.tokens.refreshToken);
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0, familiesRevoked: 0 });
  });
});

describe("the backend hangs", () => {
  const TIMEOUT_MS = 500;
  let impatient: NextInstance;

  beforeAll(async () => {
    impatient = await startNextInstance({
      port: await freePort(),
      env: { ...stack.env, BACKEND_TIMEOUT_MS: String(TIMEOUT_MS) },
    });
  });

  afterAll(async () => {
    stack.backend.setOptions({ failMode: "none" });
    await impatient?.stop();
  });

  it("answers 503 after BACKEND_TIMEOUT_MS, keeps the session, and recovers", async () => {
    const session = await freshExpiredSession(stack);
    const watch = await watchKeyExpiry(stack.redis.url);
    onTestFinished(() => watch.close());
    stack.backend.setOptions({ failMode: "hang" });
    const answers = await Promise.all(
      ["/api/profile", "/dashboard", "/api/profile", "/dashboard"].map((path) =>
        fetch(`${impatient.url}${path}`, { headers: { cookie: session.header }, redirect: "manual" }),
      ),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(sessionSetCookie(answer)).toBeNull();
    }
    // One shared attempt in this instance, given up after the timeout, not one after the other.
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 1, refreshes: 0, reuseDetections: 0 });

    stack.backend.setOptions({ failMode: "none" });
    // The failed refresh left an "unavailable" marker for the retry window: others back off until it ends.
    await watch.shortLivedKeysExpired(UNAVAILABLE_MARKER_TTL_MS);
    const after = await fetch(`${impatient.url}/api/profile`, { headers: { cookie: session.header } });
    expect(after.status).toBe(200);
    expect(sessionOutcome(after.headers)).toBe("refreshed");
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0 });
  });

  // The middleware in front of /api/auth/session tries first; when the backend does not answer it marks the
  // forwarded request, so next-auth's jwt callback does not try (and wait out the timeout) a second time.
  it("/api/auth/session during an outage asks the backend once", async () => {
    const session = await freshExpiredSession(stack);
    stack.backend.setOptions({ failMode: "hang" });
    stack.backend.resetStats();
    const answer = await fetch(`${impatient.url}/api/auth/session`, { headers: { cookie: session.header } });
    stack.backend.setOptions({ failMode: "none" });
    // What the contract asks for holds: signed in still, nothing cleared.
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ user: { email: DEMO_EMAIL } });
    expect(sessionSetCookie(answer)?.cleared ?? false).toBe(false);
    // And the backend was asked once, not once by the middleware and again by the jwt callback.
    expect(stack.backend.stats().refreshAttempts).toBe(1);
  });
});

describe("the refresh token stays out of the browser's reach", () => {
  it("is in neither /api/auth/session nor the dashboard's HTML, before or after a refresh", async () => {
    const valid = await validSession();
    const session = await get("/api/auth/session", valid.header);
    expect(session.status).toBe(200);
    const text = await session.text();
    expect(JSON.parse(text)).toMatchObject({ user: { email: DEMO_EMAIL } });
    expect(text).not.toContain(valid.refreshToken);
    // options.ts builds the session from scratch and promises the access token stays out too.
    expect(text).not.toContain(valid.accessToken);

    const dashboard = await get("/dashboard", valid.header);
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).toContain(DEMO_EMAIL);
    expect(html).not.toContain(valid.refreshToken);

    // With an expired session, the refresh happens in this very request; neither token may show.
    const expired = await freshExpiredSession(stack);
    const refreshed = await get("/api/auth/session", expired.header);
    expect(refreshed.status).toBe(200);
    expect(sessionOutcome(refreshed.headers)).toBe("refreshed");
    const refreshedText = await refreshed.text();
    const newClaims = await decodeWithNextAuth(stack.secret, sessionSetCookie(refreshed)!.value);
    const newRefreshToken = newClaims?.refreshToken as string;
    expect(newRefreshToken).toBeTruthy();
    expect(newRefreshToken).not.toBe(expired.tokens.refreshToken);
    expect(refreshedText).not.toContain(expired.tokens.refreshToken);
    expect(refreshedText).not.toContain(newRefreshToken);
    expect(JSON.parse(refreshedText)).toMatchObject({ user: { email: DEMO_EMAIL } });

    const expiredPage = await freshExpiredSession(stack);
    const page = await get("/dashboard", expiredPage.header);
    expect(page.status).toBe(200);
    const pageHtml = await page.text();
    const pageClaims = await decodeWithNextAuth(stack.secret, sessionSetCookie(page)!.value);
    expect(pageHtml).toContain(DEMO_EMAIL);
    expect(pageHtml).not.toContain(expiredPage.tokens.refreshToken);
    expect(pageHtml).not.toContain(pageClaims?.refreshToken as string);
    expect(stack.backend.stats()).toMatchObject({ refreshes: 2, refreshAttempts: 2, reuseDetections: 0 });
  });
});

describe("next-auth's own cookie format", () => {
  it("accepts a cookie written by next-auth's encode, and refreshes one whose access token has expired", async () => {
    const tokens = await backendLogin(stack.backend.url);
    const token = { sub: "user-1", name: "Demo User", email: DEMO_EMAIL, ...tokens };

    const fresh = `${SESSION_COOKIE}=${await encode({ token, secret: stack.secret })}`;
    const valid = await get("/api/profile", fresh);
    expect(valid.status).toBe(200);
    expect(sessionOutcome(valid.headers)).toBe("valid");
    expect(((await valid.json()) as { profile: { email: string } }).profile.email).toBe(DEMO_EMAIL);
    const session = await get("/api/auth/session", fresh);
    expect(await session.json()).toMatchObject({ user: { email: DEMO_EMAIL } });

    const stale = `${SESSION_COOKIE}=${await encode({ token: { ...token, accessTokenExpires: Date.now() - 60_000 }, secret: stack.secret })}`;
    const refreshed = await get("/dashboard", stale);
    expect(refreshed.status).toBe(200);
    expect(sessionOutcome(refreshed.headers)).toBe("refreshed");
    expect(await refreshed.text()).toContain(DEMO_EMAIL);
    const claims = await decodeWithNextAuth(stack.secret, sessionSetCookie(refreshed)!.value);
    expect(claims).toMatchObject({ sub: "user-1", email: DEMO_EMAIL });
    expect(claims?.refreshToken).not.toBe(tokens.refreshToken);
    expect(claims?.accessTokenExpires as number).toBeGreaterThan(Date.now());
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0 });
  });
});

describe("an https deployment whose secret was rotated", () => {
  const currentSecret = `rotated-${crypto.randomUUID()}`;
  let previousSecret: string;
  let rotated: NextInstance;

  // Started in a hook (with the hook's time limit), so a slow start on a busy machine is not a failed test.
  beforeAll(async () => {
    previousSecret = stack.secret;
    const port = await freePort();
    rotated = await startNextInstance({
      port,
      env: {
        ...stack.env,
        NEXTAUTH_URL: `https://localhost:${port}`,
        NEXTAUTH_SECRET: currentSecret,
        NEXTAUTH_SECRET_PREVIOUS: previousSecret,
      },
    });
  });

  afterAll(async () => {
    await rotated?.stop();
  });

  it("reads cookies under the previous secret and rewrites them as __Secure- cookies under the new one", async () => {
    const secureName = `__Secure-${SESSION_COOKIE}`;
    const tokens = await backendLogin(stack.backend.url);
    const user = { id: "user-1", name: "Demo User", email: DEMO_EMAIL };

    // Still valid, written under the previous secret: accepted as it is.
    const old = await mintSessionCookie({ secret: previousSecret, tokens, user, secure: true });
    expect(old.cookies[0]!.name).toBe(secureName);
    const valid = await fetch(`${rotated.url}/api/profile`, { headers: { cookie: old.header } });
    expect(valid.status).toBe(200);
    expect(sessionOutcome(valid.headers)).toBe("valid");
    const session = await fetch(`${rotated.url}/api/auth/session`, { headers: { cookie: old.header } });
    expect(await session.json()).toMatchObject({ user: { email: DEMO_EMAIL } });

    // Expired, under the previous secret: refreshed, and the new cookie is under the current secret only.
    const expired = await mintSessionCookie({
      secret: previousSecret,
      tokens: { ...tokens, accessTokenExpires: Date.now() - 60_000 },
      user,
      secure: true,
    });
    const refreshed = await fetch(`${rotated.url}/dashboard`, {
      headers: { cookie: expired.header },
      redirect: "manual",
    });
    expect(refreshed.status).toBe(200);
    expect(sessionOutcome(refreshed.headers)).toBe("refreshed");
    const line = refreshed.headers.getSetCookie().find((cookie) => cookie.startsWith(`${secureName}=`));
    expect(line, refreshed.headers.getSetCookie().join("\n")).toBeDefined();
    expect(line).toMatch(/;\s*Secure/i);
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\//i);
    const jar = storeCookies(new Map(), refreshed);
    const value = jar.get(secureName)!;
    expect(await decodeWithNextAuth(currentSecret, value)).toMatchObject({ email: DEMO_EMAIL });
    expect(await decodeWithNextAuth(previousSecret, value).catch(() => null)).toBeNull();
    expect(refreshed.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
  });
});
