/**
 * Many real Chromium tabs of one browser profile (one cookie jar) against two real `next start` instances
 * sharing one Redis and one reference backend whose refresh tokens rotate with reuse detection:
 *
 *  1. sign in through the /login form and land on the dashboard;
 *  2. let the access token expire, open 12 tabs at once and 12 more while the backend refresh is still in
 *     flight: every tab shows the user, the backend sees exactly one refresh and no reuse;
 *  3. let it expire again, refocus one tab (next-auth's useSession refetches /api/auth/session on
 *     `visibilitychange`) while another tab navigates: still exactly one more refresh, and the session JSON
 *     holds no refresh token.
 *
 * Cookies are per host, not per port, so the tabs on both instances share the one session cookie, like a
 * user behind a load balancer. Needs Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, type Page, type Response as PageResponse } from "playwright-core";
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
/** The login's access token: short, so the test does not wait long for the first expiry. */
const LOGIN_TTL_SECONDS = 4;
/** The first refresh's token must outlive phase 2's page loads (and their broadcast refetches). */
const PHASE_TTL_SECONDS = 20;
/** Long enough that the refresh is still in flight when the second wave of tabs arrives. */
const REFRESH_LATENCY_MS = 400;
const WAVE = 12;

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let home: Page;
const tabs: Page[] = [];
/** Where each of the 24 tabs goes when the token has expired: both instances, dashboards and the JSON API. */
let targets: Array<{ app: string; path: string }> = [];
/** The phases build on each other: after a failure the later ones are skipped, not left to time out. */
let failed = false;

interface Seen {
  readonly url: string;
  readonly status: number;
  readonly outcome: string;
  /**
   * The body of an /api/auth/session answer, as the page's JavaScript received it; null when the tab
   * navigated away before it could be read.
   */
  readonly body?: Promise<string | null>;
}
/** Every response that passed the session middleware, in any tab, since the last reset. */
let seen: Seen[] = [];

function outcomeOf(response: PageResponse): string | null {
  return /session;desc="([a-z]+)"/.exec(response.headers()["server-timing"] ?? "")?.[1] ?? null;
}

function tally(list: readonly Seen[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of list) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}

/** The session cookie the browser holds now, read with next-auth's own decode. */
async function browserSession(): Promise<{ refreshToken: string; accessToken: string; accessTokenExpires: number }> {
  const cookies = await context.cookies(stack.instances[0]!.url);
  const session = cookies.filter(
    (cookie) => cookie.name === SESSION_COOKIE || cookie.name.startsWith(`${SESSION_COOKIE}.`),
  );
  expect(session.map((cookie) => cookie.name)).toEqual([SESSION_COOKIE]);
  expect(session[0]!.httpOnly).toBe(true);
  const claims = await decodeWithNextAuth(stack.secret, session[0]!.value);
  expect(claims).not.toBeNull();
  return claims as unknown as { refreshToken: string; accessToken: string; accessTokenExpires: number };
}

/** The /api/auth/session bodies that could be read (a tab that navigated on has none to give). */
async function sessionBodies(list: readonly Seen[]): Promise<string[]> {
  const bodies = await Promise.all(list.map((entry) => entry.body ?? null));
  return bodies.filter((body): body is string => body !== null);
}

async function waitUntil(epochMs: number): Promise<void> {
  const remaining = epochMs - Date.now();
  if (remaining > 0) await sleep(remaining);
}

async function expectDashboard(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId("profile-email").textContent(), { timeout: 10_000 }).toBe(DEMO_EMAIL);
  // The client side (useSession's /api/auth/session fetch) agrees.
  await page.waitForSelector('[data-testid="session-status"][data-status="authenticated"]', { timeout: 10_000 });
  expect(await page.getByTestId("session-status").textContent()).toContain(DEMO_EMAIL);
}

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({
    instances: 2,
    backend: { accessTokenTtlSeconds: LOGIN_TTL_SECONDS, refreshLatencyMs: REFRESH_LATENCY_MS },
    env: { SESSION_REFRESH_SKEW_SECONDS: "0" },
  });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
  context.setDefaultTimeout(15_000);
  context.on("response", (response) => {
    const outcome = outcomeOf(response);
    if (outcome === null) return;
    const url = response.url();
    const body = new URL(url).pathname === "/api/auth/session" ? response.text().catch(() => null) : undefined;
    seen.push({ url, status: response.status(), outcome, body });
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
});

tearDownStack({
  stack: () => stack,
  browser: () => browser,
  onFailure: () => {
    failed = true;
  },
});

describe("one browser, many tabs, one rotating refresh token", () => {
  it("signs in through the /login form and lands on the dashboard", async () => {
    // The 24 tabs exist already, like a user's open tabs: each on the login page of the instance it will use
    // later, so its renderer process and the app's scripts are loaded before the token expires.
    const apps = stack.instances.map((instance) => instance.url);
    // Each tab gets its own URL (?tab=N): Chromium's HTTP cache lets only one request per URL go out at a time
    // (the others wait in HTTP_CACHE_ADD_TO_ENTRY until its headers arrive), which would turn 24 tabs on one
    // URL into a queue instead of a storm.
    targets = Array.from({ length: 2 * WAVE }, (_, index) => ({
      app: apps[index % apps.length]!,
      path: `${index % 3 === 2 ? "/api/profile" : "/dashboard"}?tab=${index}`,
    }));
    for (const _ of targets) tabs.push(await context.newPage());
    await Promise.all(tabs.map((tab, index) => tab.goto(`${targets[index]!.app}/login`, { waitUntil: "networkidle" })));

    home = await context.newPage();
    const app = stack.instances[0]!.url;
    await home.goto(`${app}/dashboard`);
    await home.waitForURL(`${app}/login?callbackUrl=%2Fdashboard`);
    // A wrong password first: the backend's refusal is shown and nobody is signed in.
    await home.locator('input[name="identifier"]').fill(DEMO_EMAIL);
    await home.locator('input[name="password"]').fill("not-the-password");
    await home.getByRole("button", { name: "Sign in" }).click();
    await home.getByTestId("login-error").waitFor();
    expect(await home.getByTestId("login-error").textContent()).toMatch(/invalid email or password/i);
    expect(home.url()).toBe(`${app}/login?callbackUrl=%2Fdashboard`);
    await home.locator('input[name="identifier"]').fill(DEMO_EMAIL);
    await home.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await home.getByRole("button", { name: "Sign in" }).click();
    await home.waitForURL(`${app}/dashboard`);
    await expectDashboard(home);

    // The session cookie is HttpOnly: page JavaScript sees neither it nor the refresh token inside.
    const session = await browserSession();
    expect(await home.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE);
    expect(await home.content()).not.toContain(session.refreshToken);
    expect(stack.backend.stats()).toMatchObject({ logins: 1, loginFailures: 1, refreshes: 0 });
  });

  it("opens 24 tabs on an expired token, 12 of them while the refresh is in flight: one refresh, everyone signed in", async ({
    skip,
  }) => {
    if (failed) skip("an earlier phase failed");
    const before = await browserSession();
    stack.backend.setOptions({ accessTokenTtlSeconds: PHASE_TTL_SECONDS });
    stack.backend.resetStats();
    await waitUntil(before.accessTokenExpires + 50);
    seen = [];

    const started = Date.now();
    const open = (index: number) => tabs[index]!.goto(`${targets[index]!.app}${targets[index]!.path}`);
    const firstWave = targets.slice(0, WAVE).map((_, index) => open(index));
    // The second wave leaves as soon as the backend has the refresh in hand, i.e. while it is in flight.
    // Chromium opens at most 6 connections per host, and the first wave holds all 6 on each instance while
    // it waits for the refresh; so the second wave's requests queue in the browser, carrying the old cookie
    // they were given when they started, and reach the app after the successor is stored ("replayed").
    await expect.poll(() => stack.backend.stats().refreshAttempts, { interval: 5, timeout: 10_000 }).toBeGreaterThan(0);
    const inFlightAtSecondWave = stack.backend.stats().inFlightRefreshes;
    const secondWaveAfterMs = Date.now() - started;
    const secondWave = targets.slice(WAVE).map((_, index) => open(WAVE + index));
    const navigations = await Promise.all([...firstWave, ...secondWave]);

    for (const [index, response] of navigations.entries()) {
      expect(response?.status(), `${targets[index]!.path} in tab ${index}`).toBe(200);
      if (targets[index]!.path.startsWith("/api/profile")) {
        expect(((await response!.json()) as { profile: { email: string } }).profile.email).toBe(DEMO_EMAIL);
      }
    }
    await Promise.all(
      tabs.filter((_, index) => targets[index]!.path.startsWith("/dashboard")).map((tab) => expectDashboard(tab)),
    );
    const elapsedMs = Date.now() - started;

    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({
      refreshes: 1,
      refreshAttempts: 1,
      reuseDetections: 0,
      familiesRevoked: 0,
    });
    expect(inFlightAtSecondWave, "the second wave did not start while the refresh was in flight").toBe(1);

    const outcomes = tally(seen);
    const waveOutcomes = (from: number, to: number) =>
      JSON.stringify(
        tally(
          navigations
            .slice(from, to)
            .map((response) => ({ url: "", status: 0, outcome: response ? String(outcomeOf(response)) : "none" })),
        ),
      );
    const summary =
      `outcomes ${JSON.stringify(outcomes)} over ${seen.length} middleware responses ` +
      `(first wave's pages ${waveOutcomes(0, WAVE)}, second wave's ${waveOutcomes(WAVE, 2 * WAVE)})`;
    expect(outcomes.refreshed, summary).toBe(1);
    // The tabs really overlapped the refresh in flight: some requests waited for it rather than arriving after.
    expect(outcomes.joined ?? 0, summary).toBeGreaterThan(0);
    expect(
      seen.filter((entry) => ["rejected", "anonymous", "unavailable"].includes(entry.outcome) || entry.status >= 400),
      summary,
    ).toEqual([]);

    const after = await browserSession();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    const bodies = await sessionBodies(seen);
    expect(bodies.length, "no /api/auth/session answer was read").toBeGreaterThan(0);
    for (const body of bodies) {
      expect(body).toContain(DEMO_EMAIL);
      expect(body).not.toContain(after.refreshToken);
      expect(body).not.toContain(before.refreshToken);
    }
    // Phase 3 relies on this token still being the current one: nothing may have refreshed it again.
    expect(elapsedMs, `the tabs took longer than the refreshed token's ${PHASE_TTL_SECONDS} s lifetime`).toBeLessThan(
      PHASE_TTL_SECONDS * 1000,
    );

    const screenshotTab = tabs[WAVE + 1]!;
    await screenshotTab.bringToFront();
    await screenshotTab.screenshot({ path: join(SCREENSHOTS, "e2e-dashboard.png"), fullPage: true });
    console.info(
      `[e2e tabs] 24 tabs (${targets.filter((t) => t.path.startsWith("/dashboard")).length} dashboards) loaded in ${elapsedMs} ms; ` +
        `second wave left ${secondWaveAfterMs} ms after the first (refresh in flight: ${inFlightAtSecondWave}); ${summary}; backend ${JSON.stringify(stats)}`,
    );
  });

  it("a refocused tab's session refetch and another tab's navigation at the same moment share one refresh", async ({
    skip,
  }) => {
    if (failed) skip("an earlier phase failed");
    const before = await browserSession();
    stack.backend.setOptions({ accessTokenTtlSeconds: 60 });
    await waitUntil(before.accessTokenExpires + 50);
    stack.backend.resetStats();
    seen = [];

    // `home` is the sign-in tab, on instance 0, long in the background; `other` is a dashboard on instance 1.
    const other = tabs[1]!;
    const isSessionFetch = (response: PageResponse) => new URL(response.url()).pathname === "/api/auth/session";
    const refetch = home.waitForResponse(isSessionFetch);
    // The dashboards already open on home's origin: next-auth's broadcast makes each of them refetch the session.
    const homeOrigin = new URL(stack.instances[0]!.url).origin;
    const listeners = tabs.filter(
      (tab) =>
        tab !== other && new URL(tab.url()).origin === homeOrigin && new URL(tab.url()).pathname === "/dashboard",
    );
    const broadcastRefetches = Promise.all(
      listeners.map((tab) => tab.waitForResponse(isSessionFetch, { timeout: 30_000 })),
    );
    const [, navigation] = await Promise.all([
      home.evaluate(() => document.dispatchEvent(new Event("visibilitychange"))),
      other.goto(`${stack.instances[1]!.url}/dashboard`),
    ]);
    const sessionResponse = await refetch;
    expect(sessionResponse.status()).toBe(200);
    expect(navigation?.status()).toBe(200);
    await expectDashboard(other);

    const after = await browserSession();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    // The refocused tab's useSession now carries the new expiry.
    await expect
      .poll(() => home.getByTestId("session-status").textContent(), { timeout: 10_000 })
      .toContain(new Date(after.accessTokenExpires).toISOString());

    // The session JSON a page's JavaScript gets: the user, never the refresh (or access) token.
    const sessionText = await sessionResponse.text();
    expect(JSON.parse(sessionText)).toMatchObject({ user: { email: DEMO_EMAIL } });
    expect(sessionText).not.toContain(before.refreshToken);
    expect(sessionText).not.toContain(after.refreshToken);
    expect(sessionText).not.toContain(after.accessToken);

    // One of the two led the refresh, the other waited for it (or took its successor), not a second refresh.
    const pair = [outcomeOf(sessionResponse), outcomeOf(navigation!)];
    expect(
      pair.filter((outcome) => outcome === "refreshed"),
      JSON.stringify(pair),
    ).toHaveLength(1);
    expect(
      pair.filter((outcome) => outcome === "joined" || outcome === "replayed"),
      JSON.stringify(pair),
    ).toHaveLength(1);

    // next-auth then broadcasts the new session to the other tabs of that origin, which refetch it too:
    // judge once every one of them has had its answer.
    expect(listeners.length).toBeGreaterThan(0);
    await broadcastRefetches;
    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({
      refreshes: 1,
      refreshAttempts: 1,
      reuseDetections: 0,
      familiesRevoked: 0,
    });
    const outcomes = tally(seen);
    expect(outcomes.refreshed, JSON.stringify(outcomes)).toBe(1);
    expect(
      seen.filter((entry) => entry.status >= 400 || ["rejected", "anonymous", "unavailable"].includes(entry.outcome)),
    ).toEqual([]);
    for (const body of await sessionBodies(seen)) expect(body).not.toContain(after.refreshToken);

    await home.screenshot({ path: join(SCREENSHOTS, "e2e-dashboard-refocused.png"), fullPage: true });
    console.info(
      `[e2e refocus] session refetch ${pair[0]}, navigation ${pair[1]}; ${seen.length} middleware responses ${JSON.stringify(outcomes)}; backend ${JSON.stringify(stats)}`,
    );
  });
});
