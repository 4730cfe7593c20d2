/**
 * The /session page in real Chromium against a real `next start`, Redis and the reference backend:
 *
 *  1. sign in through /login and land on /session: identity, a ticking countdown, this request's outcome,
 *     the backend's stats beside it;
 *  2. let the access token expire, press "Open 6 tabs": six tabs load /session?tab=i at once, all signed
 *     in, exactly one of them led the refresh and the backend saw exactly one refresh and no reuse;
 *  3. the dashboard links to /session and shows the typed access-token expiry from useSession();
 *  4. the backend proxy from page JavaScript: /api/backend/api/me answers with the profile, the auth
 *     paths are refused, a cross-site POST is refused;
 *  5. next-auth's cross-tab broadcast: a hidden tab holding a session does not refetch when another tab's
 *     focus refetch broadcasts, a visible one does; the hidden one refetches once when shown.
 *
 * Screenshots go to test-results/session-*.png.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchChromium } from "../test-support/chromium";
import { beforeAll, describe, expect, it } from "vitest";
import { tearDownStack } from "../test-support/stack-teardown";
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  SESSION_COOKIE,
  decodeWithNextAuth,
  sleep,
  startStack,
  type Stack,
} from "../test-support/stack";
import { ROOT, ensureAppBuilt } from "../test-support/next-app";

const SCREENSHOTS = join(ROOT, "test-results");
const LOGIN_TTL_SECONDS = 6;
const TABS = 6;
/** Waiting, not timing: generous, for a shared 2-core machine. */
const POLL = { timeout: 15_000 };

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let app: string;
let main: Page;
let failed = false;

async function browserSession(): Promise<{ refreshToken: string; accessTokenExpires: number }> {
  const cookie = (await context.cookies(app)).find((candidate) => candidate.name === SESSION_COOKIE);
  expect(cookie, "no session cookie in the browser").toBeDefined();
  const claims = await decodeWithNextAuth(stack.secret, cookie!.value);
  return claims as unknown as { refreshToken: string; accessTokenExpires: number };
}

async function expectSessionPage(page: Page): Promise<string> {
  await page.getByTestId("session-email").waitFor();
  expect(await page.getByTestId("session-email").textContent()).toBe(DEMO_EMAIL);
  expect(await page.getByTestId("header-identity").textContent()).toBe(DEMO_EMAIL);
  const outcome = await page.getByTestId("request-outcome").getAttribute("data-outcome");
  expect(outcome, "the page did not get the middleware's outcome").toMatch(/^(valid|refreshed|joined|replayed)$/);
  return outcome!;
}

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({
    instances: 1,
    backend: { accessTokenTtlSeconds: LOGIN_TTL_SECONDS, refreshLatencyMs: 300 },
    env: { SESSION_REFRESH_SKEW_SECONDS: "0" },
  });
  app = stack.instances[0]!.url;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  context.setDefaultTimeout(15_000);
  mkdirSync(SCREENSHOTS, { recursive: true });
});

tearDownStack({
  stack: () => stack,
  browser: () => browser,
  onFailure: () => {
    failed = true;
  },
});

describe("the live session page", () => {
  it("signs in and shows identity, a countdown, this request's outcome and the backend's stats", async () => {
    main = await context.newPage();
    await main.goto(`${app}/session`);
    await main.waitForURL(`${app}/login?callbackUrl=%2Fsession`);
    await main.screenshot({ path: join(SCREENSHOTS, "session-login.png") });
    await main.locator('input[name="identifier"]').fill(DEMO_EMAIL);
    await main.locator('input[name="password"]').fill("not-the-password");
    await main.getByRole("button", { name: "Sign in" }).click();
    await main.getByTestId("login-error").waitFor();
    await main.screenshot({ path: join(SCREENSHOTS, "session-login-error.png") });
    await main.locator('input[name="identifier"]').fill(DEMO_EMAIL);
    await main.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await main.getByRole("button", { name: "Sign in" }).click();
    await main.waitForURL(`${app}/session`);

    expect(await expectSessionPage(main)).toBe("valid");
    // The middleware's own Server-Timing duration for this request, as the page shows it (ms, one decimal).
    expect(await main.getByTestId("request-outcome-ms").textContent()).toMatch(/^\d+\.\d$/);
    const session = await browserSession();
    // The countdown runs on the client and counts down to the cookie's expiry.
    const countdown = main.getByTestId("expiry-countdown");
    expect(Number(await countdown.getAttribute("data-expires"))).toBe(session.accessTokenExpires);
    await expect
      .poll(async () => Number((await countdown.getAttribute("data-remaining-ms")) || -1), POLL)
      .toBeGreaterThan(0);
    expect(await main.locator(".countdown__value").textContent()).toMatch(/^\d+:\d{2}$/);
    const firstReading = Number(await countdown.getAttribute("data-remaining-ms"));
    await expect
      .poll(async () => Number(await countdown.getAttribute("data-remaining-ms")), { timeout: 5_000 })
      .toBeLessThan(firstReading);

    await main.getByTestId("backend-stats").waitFor();
    expect(await main.getByTestId("stat-refreshes").textContent()).toBe("0");
    // The page load went into this browser's history.
    await expect
      .poll(() => main.locator('[data-testid="timeline"] li[data-outcome="valid"]').count(), POLL)
      .toBeGreaterThan(0);
    await main.screenshot({ path: join(SCREENSHOTS, "session-page.png"), fullPage: true });
  });

  it(`opens ${TABS} tabs on an expired token: all signed in, one refresh`, async ({ skip }) => {
    if (failed) skip("an earlier phase failed");
    const before = await browserSession();
    stack.backend.setOptions({ accessTokenTtlSeconds: 120 });
    const remaining = before.accessTokenExpires + 100 - Date.now();
    if (remaining > 0) await sleep(remaining);
    stack.backend.resetStats();

    const opened: Page[] = [];
    const onPage = (page: Page) => opened.push(page);
    context.on("page", onPage);
    await main.getByTestId("tab-count").fill(String(TABS));
    await main.getByTestId("open-tabs").click();
    await expect.poll(() => opened.length, POLL).toBe(TABS);
    context.off("page", onPage);
    expect(await main.getByTestId("open-tabs-result").textContent()).toBe(`Opened ${TABS} tabs.`);

    const outcomes: string[] = [];
    for (const page of opened) {
      await page.waitForLoadState("load");
      expect(new URL(page.url()).pathname).toBe("/session");
      outcomes.push(await expectSessionPage(page));
    }
    const tabs = opened.map((page) => new URL(page.url()).searchParams.get("tab")).sort();
    expect(tabs).toEqual(Array.from({ length: TABS }, (_, i) => String(i + 1)).sort());

    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({
      refreshes: 1,
      refreshAttempts: 1,
      reuseDetections: 0,
      familiesRevoked: 0,
    });
    expect(
      outcomes.filter((outcome) => outcome === "refreshed"),
      JSON.stringify(outcomes),
    ).toHaveLength(1);
    const after = await browserSession();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // Every tab counts down to the new token's expiry.
    for (const page of opened) {
      await expect
        .poll(() => page.getByTestId("expiry-countdown").getAttribute("data-expires"), POLL)
        .toBe(String(after.accessTokenExpires));
    }

    // The first tab sees the backend's count and the refresh in this browser's shared history.
    await main.getByTestId("reload").click();
    await expect.poll(() => main.getByTestId("stat-refreshes").textContent(), POLL).toBe("1");
    expect(await main.getByTestId("stat-reuse").textContent()).toBe("0");
    await expect.poll(() => main.getByTestId("reload").isEnabled(), POLL).toBe(true);
    await expect
      .poll(() => main.locator('[data-testid="timeline"] li[data-outcome="refreshed"]').count(), POLL)
      .toBe(1);
    console.info(`[e2e session] ${TABS} tabs: ${JSON.stringify(outcomes)}; backend ${JSON.stringify(stats)}`);
    await main.bringToFront();
    await main.screenshot({ path: join(SCREENSHOTS, "session-after-tabs.png"), fullPage: true });
    const leader = opened[outcomes.indexOf("refreshed")]!;
    await leader.bringToFront();
    await leader.screenshot({ path: join(SCREENSHOTS, "session-tab-leader.png"), fullPage: true });
    await Promise.all(opened.map((page) => page.close()));

    // The same page in dark mode and on a narrow screen, to look at.
    await main.emulateMedia({ colorScheme: "dark" });
    await main.screenshot({ path: join(SCREENSHOTS, "session-dark.png"), fullPage: true });
    await main.emulateMedia({ colorScheme: "light" });
    await main.setViewportSize({ width: 420, height: 900 });
    await main.screenshot({ path: join(SCREENSHOTS, "session-narrow.png"), fullPage: true });
    await main.setViewportSize({ width: 1200, height: 900 });
  });

  it("the dashboard links to /session and shows the typed access-token expiry", async ({ skip }) => {
    if (failed) skip("an earlier phase failed");
    await main.bringToFront();
    await main.goto(`${app}/dashboard`);
    await main.getByTestId("profile-email").waitFor();
    const session = await browserSession();
    await expect
      .poll(() => main.getByTestId("session-status").getAttribute("data-expires"), POLL)
      .toBe(String(session.accessTokenExpires));
    expect(await main.getByTestId("session-status").textContent()).toMatch(/left\)$/);
    await main.screenshot({ path: join(SCREENSHOTS, "session-dashboard.png"), fullPage: true });
    await main.getByTestId("live-session-link").click();
    await main.waitForURL(`${app}/session`);
    await expectSessionPage(main);
  });

  it("the backend proxy serves page JavaScript with the session's token, and refuses the auth paths and cross-site writes", async ({
    skip,
  }) => {
    if (failed) skip("an earlier phase failed");
    stack.backend.resetStats();
    const results = await main.evaluate(async () => {
      const me = await fetch("/api/backend/api/me");
      const login = await fetch("/api/backend/api/auth", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "demo@example.com", password: "demo-password" }),
      });
      const refresh = await fetch("/api/backend/api/auth/refresh-token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      // A same-origin write to an allowed path reaches the backend (which has no POST there: its 405 passes through).
      const write = await fetch("/api/backend/api/me", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      return {
        me: { status: me.status, body: await me.json() },
        login: { status: login.status, body: await login.json() },
        refresh: { status: refresh.status, body: await refresh.json() },
        write: { status: write.status, body: await write.json() },
      };
    });
    expect(results.me.status).toBe(200);
    expect(results.me.body).toMatchObject({ email: DEMO_EMAIL });
    expect(results.login).toEqual({ status: 403, body: expect.objectContaining({ error: "path_not_allowed" }) });
    expect(results.refresh).toEqual({ status: 403, body: expect.objectContaining({ error: "path_not_allowed" }) });
    expect(results.write).toEqual({ status: 405, body: { error: "method_not_allowed" } });
    expect(stack.backend.stats()).toMatchObject({
      profileRequests: 1,
      logins: 0,
      loginFailures: 0,
      refreshAttempts: 0,
    });

    // A cross-site form post carries the browser's cookies; the proxy refuses it before calling the backend.
    const cookies = (await context.cookies(app)).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
    const crossSite = await fetch(`${app}/api/backend/api/me`, {
      method: "POST",
      headers: {
        cookie: cookies,
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "content-type": "text/plain",
      },
      body: "x",
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: "cross_site_refused" });
    // Signed out: the middleware answers 401 before the handler runs.
    const anonymous = await fetch(`${app}/api/backend/api/me`);
    expect(anonymous.status).toBe(401);
    expect(stack.backend.stats().profileRequests).toBe(1);
  });

  it("one tab's focus refetch does not make a hidden tab refetch; it refetches once when shown", async ({ skip }) => {
    if (failed) skip("an earlier phase failed");
    // Playwright reports every page as visible; this tab can pretend to be a background tab.
    const background = await context.newPage();
    await background.addInitScript(() => {
      const state = window as unknown as { __hidden: boolean; __broadcasts: number };
      state.__hidden = false;
      state.__broadcasts = 0;
      Object.defineProperty(Document.prototype, "visibilityState", {
        configurable: true,
        get: () => (state.__hidden ? "hidden" : "visible"),
      });
      window.addEventListener(
        "storage",
        (event) => {
          if (event.key === "nextauth.message") state.__broadcasts += 1;
        },
        { capture: true },
      );
    });
    const side = await context.newPage();
    await background.goto(`${app}/dashboard`);
    await side.goto(`${app}/dashboard`);
    // Both hold a session in useSession(); from the moment it is hidden, every broadcast the background tab
    // gets (the side tab's own load, the main tab's focus) is one it must not follow.
    for (const page of [background, side])
      await page.waitForSelector('[data-testid="session-status"][data-status="authenticated"]');
    await background.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = true;
      document.dispatchEvent(new Event("visibilitychange"));
    });

    const sessionFetches = (page: Page) => {
      const seen: string[] = [];
      page.on("request", (request) => {
        if (new URL(request.url()).pathname === "/api/auth/session") seen.push(request.url());
      });
      return seen;
    };
    const backgroundFetches = sessionFetches(background);
    const sideFetches = sessionFetches(side);
    // next-auth's broadcast value carries a timestamp in whole seconds, and writing the same value again fires
    // no storage event: wait for the second of the last broadcast (the side tab's load) to pass.
    const lastBroadcastSecond = await main.evaluate(
      () => (JSON.parse(localStorage.getItem("nextauth.message") ?? "{}") as { timestamp?: number }).timestamp ?? 0,
    );
    const nextSecond = (lastBroadcastSecond + 1) * 1000 - Date.now();
    if (nextSecond > 0) await sleep(nextSecond + 20);
    const broadcastsBefore = await background.evaluate(
      () => (window as unknown as { __broadcasts: number }).__broadcasts,
    );

    // The main tab regains focus: next-auth refetches its session and broadcasts "session fetched".
    await main.evaluate(() => document.dispatchEvent(new Event("visibilitychange")));
    await expect
      .poll(() => background.evaluate(() => (window as unknown as { __broadcasts: number }).__broadcasts), POLL)
      .toBeGreaterThan(broadcastsBefore);
    // The visible side-by-side tab follows the broadcast, as next-auth intends.
    await expect.poll(() => sideFetches.length, POLL).toBeGreaterThan(0);

    // Shown again, the background tab refetches on its own: that one request is all it made.
    const refetch = background.waitForResponse((response) => new URL(response.url()).pathname === "/api/auth/session");
    await background.evaluate(() => {
      (window as unknown as { __hidden: boolean }).__hidden = false;
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect((await refetch).status()).toBe(200);
    expect(backgroundFetches, "the hidden tab refetched on the broadcast").toHaveLength(1);
    await Promise.all([background.close(), side.close()]);
  });
});
