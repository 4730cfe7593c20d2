/**
 * The browser side of a session's end, in real Chromium tabs of one profile on the main app (two
 * `next start` instances, one Redis, the rotating reference backend with sign-out revocation on):
 *
 *  1. signing out in one tab signs out the others: next-auth broadcasts the sign-out through localStorage,
 *     the other tabs' useSession turns `unauthenticated`, and their next navigation shows the login page;
 *     the backend has revoked the token family;
 *  2. a session that dies at the backend (its token family revoked there, server-side, while the tabs are
 *     open) is refused at the next refresh: a refocused tab's useSession turns `unauthenticated` and a
 *     reloaded tab lands on the login page, never a broken page or a 5xx.
 */
import { type Browser, type BrowserContext, type Page, type Response as PageResponse } from "playwright-core";
import { launchChromium } from "../test-support/chromium";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tearDownStack } from "../test-support/stack-teardown";
import { ensureAppBuilt } from "../test-support/next-app";
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  SESSION_COOKIE,
  decodeWithNextAuth,
  sleep,
  startStack,
  type Stack,
} from "../test-support/stack";

const LOGIN_TTL_SECONDS = 3;

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
/** Every response in any tab of the current context, to find 5xx answers and the session outcomes. */
let seen: Array<{ url: string; status: number; outcome: string | null }> = [];

function outcomeOf(response: PageResponse): string | null {
  return /session;desc="([a-z]+)"/.exec(response.headers()["server-timing"] ?? "")?.[1] ?? null;
}

async function signInThroughForm(page: Page, app: string): Promise<void> {
  await page.goto(`${app}/dashboard`);
  await page.waitForURL(`${app}/login?callbackUrl=%2Fdashboard`);
  await page.locator('input[name="identifier"]').fill(DEMO_EMAIL);
  await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app}/dashboard`);
  await clientStatus(page, "authenticated");
}

/** Waits for the dashboard's useSession status (data-status of the session-status element). */
async function clientStatus(page: Page, status: "authenticated" | "unauthenticated"): Promise<void> {
  await page.waitForSelector(`[data-testid="session-status"][data-status="${status}"]`, { timeout: 15_000 });
}

async function openDashboard(app: string): Promise<Page> {
  const page = await context.newPage();
  const response = await page.goto(`${app}/dashboard`);
  expect(response?.status()).toBe(200);
  await clientStatus(page, "authenticated");
  return page;
}

async function browserClaims(): Promise<{ refreshToken: string; accessTokenExpires: number } | null> {
  const cookie = (await context.cookies(stack.instances[0]!.url)).find((entry) => entry.name === SESSION_COOKIE);
  if (!cookie) return null;
  return (await decodeWithNextAuth(stack.secret, cookie.value)) as {
    refreshToken: string;
    accessTokenExpires: number;
  } | null;
}

/** What a reloaded tab shows: the login page, rendered (its form is there), at the expected URL. */
async function expectLoginPage(page: Page, app: string, query: string): Promise<void> {
  const response = await page.reload();
  await page.waitForURL(`${app}/login?${query}`);
  expect(response?.status()).toBe(200);
  await page.locator('form[aria-label="Sign in"] input[name="identifier"]').waitFor();
}

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({
    instances: 2,
    backend: { accessTokenTtlSeconds: LOGIN_TTL_SECONDS },
    env: { SESSION_REFRESH_SKEW_SECONDS: "0", BACKEND_LOGOUT_PATH: "/api/auth/logout" },
  });
  browser = await launchChromium();
});

beforeEach(async () => {
  // A fresh profile per test: one cookie jar and one localStorage shared by its tabs.
  context = await browser.newContext({ viewport: { width: 900, height: 600 } });
  context.setDefaultTimeout(15_000);
  seen = [];
  context.on("response", (response) =>
    seen.push({ url: response.url(), status: response.status(), outcome: outcomeOf(response) }),
  );
  stack.backend.setOptions({ accessTokenTtlSeconds: LOGIN_TTL_SECONDS });
  stack.backend.resetStats();
});

afterEach(async () => {
  await context?.close();
});

tearDownStack({ stack: () => stack, browser: () => browser });

describe("the end of a session, in every tab", () => {
  it("signing out in one tab signs out the others (next-auth's broadcast), and revokes at the backend", async () => {
    const [app0, app1] = stack.instances.map((instance) => instance.url) as [string, string];
    stack.backend.setOptions({ accessTokenTtlSeconds: 60 });
    const home = await context.newPage();
    await signInThroughForm(home, app0);
    const others = [await openDashboard(app0), await openDashboard(app0)];
    // A tab of the other instance: the same cookie (cookies are per host), but another origin, so no broadcast.
    const otherInstance = await openDashboard(app1);

    await home.getByRole("button", { name: "Sign out" }).click();
    // next-auth sends it to NEXTAUTH_URL's /login (localhost here, while the tabs use 127.0.0.1).
    await home.waitForURL((url) => url.pathname === "/login");

    // The broadcast reaches the other tabs of the origin: their useSession refetches and finds no session.
    for (const tab of others) await clientStatus(tab, "unauthenticated");
    expect(await browserClaims()).toBeNull();
    // Their next navigation shows the login page, as does the other instance's tab on its next request.
    for (const tab of others) await expectLoginPage(tab, app0, "callbackUrl=%2Fdashboard");
    await expectLoginPage(otherInstance, app1, "callbackUrl=%2Fdashboard");

    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({ revocations: 1, refreshes: 0, reuseDetections: 0 });
    expect(seen.filter((entry) => entry.status >= 500)).toEqual([]);
  });

  it("a session revoked at the backend: a refocused tab turns unauthenticated, a reloaded one shows the login page", async () => {
    const app = stack.instances[0]!.url;
    const home = await context.newPage();
    await signInThroughForm(home, app);
    const [refocused, reloaded] = [await openDashboard(app), await openDashboard(stack.instances[1]!.url)];
    const claims = await browserClaims();
    expect(claims).not.toBeNull();

    // The session dies at the backend (an admin, a password change, another device's sign-out): the test
    // holds the secret, so it can read the refresh token out of the browser's cookie, as only a server can.
    const logout = await fetch(`${stack.backend.url}/api/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: claims!.refreshToken }),
    });
    expect(logout.ok).toBe(true);
    const waitMs = claims!.accessTokenExpires - Date.now() + 200;
    if (waitMs > 0) await sleep(waitMs);
    seen = [];

    // A tab regains focus: useSession refetches /api/auth/session, the refresh is refused, the session is over.
    await refocused.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await clientStatus(refocused, "unauthenticated");
    expect(seen.find((entry) => new URL(entry.url).pathname === "/api/auth/session")).toMatchObject({
      status: 200,
      outcome: "rejected",
    });
    expect(await browserClaims()).toBeNull();

    // Another tab, on the other instance, reloads: the login page, not a broken page.
    await expectLoginPage(reloaded, stack.instances[1]!.url, "callbackUrl=%2Fdashboard");
    // And the refocused tab's next navigation too.
    await expectLoginPage(refocused, app, "callbackUrl=%2Fdashboard");

    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({ refreshes: 0, reuseDetections: 0 });
    expect(stats.refreshAttempts, JSON.stringify(stats)).toBe(1);
    expect(seen.filter((entry) => entry.status >= 500)).toEqual([]);
  });

  it("a refresh the backend refuses in one tab's navigation sends that tab to the login page with SessionExpired, and the others on their next request", async () => {
    const app = stack.instances[0]!.url;
    const home = await context.newPage();
    await signInThroughForm(home, app);
    const other = await openDashboard(app);
    const claims = await browserClaims();
    await fetch(`${stack.backend.url}/api/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: claims!.refreshToken }),
    });
    const waitMs = claims!.accessTokenExpires - Date.now() + 200;
    if (waitMs > 0) await sleep(waitMs);

    const response = await home.goto(`${app}/dashboard`);
    await home.waitForURL(`${app}/login?error=SessionExpired`);
    expect(response?.status()).toBe(200);
    expect(await home.getByTestId("login-error").textContent()).toMatch(/session has expired/i);
    expect(await browserClaims()).toBeNull();
    await expectLoginPage(other, app, "callbackUrl=%2Fdashboard");
    expect(seen.filter((entry) => entry.status >= 500)).toEqual([]);
  });
});
