/**
 * Refresh ahead in real Chromium tabs of one profile (two `next start` instances, one Redis, the rotating
 * reference backend), with short tokens: 10 s access tokens, SESSION_REFRESH_SKEW_SECONDS=4 (so a marked
 * background refresh is honoured from 5 s left: 4 s skew + the 4 s ahead window capped by its cost, 5% of
 * the 6 s a token is used without it, at the cap's floor of 1 s; the session says so, and the tab aims at
 * 4.75 s left).
 *
 *  1. the soak: one visible tab loads a page every ~2.5 s for ~50 s while two hidden tabs (one per
 *     instance) sit on the dashboard: after the first expiry no page load waits on a refresh
 *     (`refreshed`/`joined`), the backend is asked once per token (no duplicate, no reuse), no token is
 *     renewed before the window the session states (so the backend is asked at most once per
 *     `lifetime − skew − ahead`), and only the visible tab sends background requests. It prints what that
 *     costs against no refresh ahead. The figures go to docs/REFRESH-AHEAD.md;
 *  2. a refusal in the background (the token family revoked at the backend) signs every tab out, the hidden
 *     ones included, with no page load;
 *  3. an outage in the background is tried a bounded number of times, by its Retry-After, and never after
 *     the token's expiry.
 *
 * Playwright reports every page as visible; the hidden tabs pretend to be background tabs with an init
 * script (as e2e/session-page.e2e.ts does). Needs Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
import { type Browser, type BrowserContext, type Page, type Request as PageRequest } from "playwright-core";
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

const TTL_SECONDS = 10;
const SKEW_SECONDS = 4;
const SOAK_MS = Number(process.env.REFRESH_AHEAD_SOAK_MS ?? 50_000);
const PAGE_EVERY_MS = 2_500;
const MARKER = "x-session-refresh-ahead";
/** Where the tabs keep what they know of the background refresh (edge-session-refresh/client's refresh-ahead-state). */
const STATE_KEY = "edge-session.refresh-ahead.v1";

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const until = Date.now() + Math.max(0, timeoutMs);
  while (!condition()) {
    if (Date.now() > until) throw new Error("waitUntil: timed out");
    await sleep(50);
  }
}

let stack: Stack;
let browser: Browser;
let context: BrowserContext;

interface Seen {
  readonly page: Page | null;
  readonly path: string;
  readonly navigation: boolean;
  readonly marked: boolean;
  readonly status: number;
  readonly outcome: string | null;
  readonly at: number;
}
let seen: Seen[] = [];

function outcomeOf(serverTiming: string | undefined): string | null {
  return /session;desc="([a-z]+)"/.exec(serverTiming ?? "")?.[1] ?? null;
}

function tally(list: readonly Seen[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { outcome } of list) counts[String(outcome)] = (counts[String(outcome)] ?? 0) + 1;
  return counts;
}

async function clientStatus(page: Page, status: "authenticated" | "unauthenticated", timeout = 15_000): Promise<void> {
  await page.waitForSelector(`[data-testid="session-status"][data-status="${status}"]`, { timeout });
}

async function browserClaims(): Promise<{ refreshToken: string; accessTokenExpires: number } | null> {
  const cookie = (await context.cookies(stack.instances[0]!.url)).find((entry) => entry.name === SESSION_COOKIE);
  if (!cookie) return null;
  return (await decodeWithNextAuth(stack.secret, cookie.value)) as {
    refreshToken: string;
    accessTokenExpires: number;
  } | null;
}

async function signIn(page: Page, app: string): Promise<void> {
  await page.goto(`${app}/dashboard`);
  await page.waitForURL(`${app}/login?callbackUrl=%2Fdashboard`);
  await page.locator('input[name="identifier"]').fill(DEMO_EMAIL);
  await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${app}/dashboard`);
  await clientStatus(page, "authenticated");
}

/** A tab that reports itself hidden from its first script on, as a background tab does. */
async function hiddenTab(app: string): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(Document.prototype, "visibilityState", { configurable: true, get: () => "hidden" });
    Object.defineProperty(Document.prototype, "hidden", { configurable: true, get: () => true });
  });
  await page.goto(`${app}/dashboard`);
  await clientStatus(page, "authenticated");
  return page;
}

function record(request: PageRequest, status: number, serverTiming: string | undefined): void {
  const outcome = outcomeOf(serverTiming);
  if (outcome === null) return;
  const frame = request.frame();
  seen.push({
    page: frame ? frame.page() : null,
    path: new URL(request.url()).pathname,
    navigation: request.isNavigationRequest(),
    marked: request.headers()[MARKER] === "1",
    status,
    outcome,
    at: Date.now(),
  });
}

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({
    instances: 2,
    backend: { accessTokenTtlSeconds: TTL_SECONDS },
    env: { SESSION_REFRESH_SKEW_SECONDS: String(SKEW_SECONDS) },
  });
  browser = await launchChromium();
});

beforeEach(async () => {
  // A fresh profile per test: one cookie jar and one localStorage shared by its tabs.
  context = await browser.newContext({ viewport: { width: 900, height: 600 } });
  context.setDefaultTimeout(15_000);
  seen = [];
  context.on("response", (response) =>
    record(response.request(), response.status(), response.headers()["server-timing"]),
  );
  stack.backend.setOptions({ accessTokenTtlSeconds: TTL_SECONDS, failMode: "none" });
  stack.backend.resetStats();
});

afterEach(async () => {
  await context?.close();
  stack?.backend.setOptions({ failMode: "none", refreshLatencyMs: 0 });
});

tearDownStack({ stack: () => stack, browser: () => browser });

/**
 * The soak: one visible tab loading a page every 2.5 s, two hidden tabs (one per instance), for SOAK_MS;
 * every assertion of it, with `label` in its printed figures.
 */
async function soak(label: string): Promise<void> {
  const [app0, app1] = [stack.instances[0]!.url, stack.instances[1]!.url];
  const visible = await context.newPage();
  await signIn(visible, app0);
  const hidden = [await hiddenTab(app0), await hiddenTab(app1)];
  const login = await browserClaims();
  expect(login).not.toBeNull();
  const firstExpiry = login!.accessTokenExpires;
  // The window the server states for these tokens: a token is used at least `lifetime − skew − ahead`.
  const stated = (await visible.evaluate(() => fetch("/api/auth/session").then((response) => response.json()))) as {
    accessTokenExpires: number;
    refreshAheadFrom: number;
    refreshDueFrom: number;
  };
  const skewMs = stated.accessTokenExpires - stated.refreshDueFrom;
  const aheadMs = stated.refreshDueFrom - stated.refreshAheadFrom;
  const usedWithoutMs = TTL_SECONDS * 1000 - skewMs;
  stack.backend.resetStats();
  seen = [];

  const started = Date.now();
  let loads = 0;
  while (Date.now() - started < SOAK_MS) {
    const due = started + loads * PAGE_EVERY_MS;
    if (due > Date.now()) await sleep(due - Date.now());
    const response = await visible.goto(`${app0}/dashboard?load=${loads}`);
    expect(response?.status()).toBe(200);
    loads += 1;
  }
  await clientStatus(visible, "authenticated");
  const soakMs = Date.now() - started;
  const stats = stack.backend.stats();
  const last = await browserClaims();

  const pageLoads = seen.filter((entry) => entry.navigation && entry.page === visible);
  const afterFirstExpiry = pageLoads.filter((entry) => entry.at > firstExpiry);
  const waitedOnRefresh = (entry: Seen) => entry.outcome === "refreshed" || entry.outcome === "joined";
  const waited = afterFirstExpiry.filter(waitedOnRefresh);
  // Every other request of every tab (session re-reads, API calls), after the first expiry.
  const others = seen.filter((entry) => !entry.navigation && !entry.marked && entry.at > firstExpiry);
  const marked = seen.filter((entry) => entry.marked);
  const markedBy = (page: Page) => marked.filter((entry) => entry.page === page).length;
  // The other requests of the visible tab beyond its page loads' own: its session re-read after each renewal.
  const sessionFetches = (page: Page) =>
    seen.filter(
      (entry) => entry.page === page && !entry.navigation && !entry.marked && entry.path === "/api/auth/session",
    ).length;
  const summary =
    `${pageLoads.length} page loads over ${soakMs} ms (${afterFirstExpiry.length} after the first expiry, ${waited.length} of them waited: ${JSON.stringify(tally(afterFirstExpiry))}); ` +
    `all page loads ${JSON.stringify(tally(pageLoads))}; background requests ${marked.length} ${JSON.stringify(tally(marked))} ` +
    `(visible ${markedBy(visible)}, hidden ${hidden.map(markedBy).join("/")}); other requests ${JSON.stringify(tally(others))}; session fetches visible ${sessionFetches(visible)}, hidden ${hidden.map(sessionFetches).join("/")}; backend ${JSON.stringify(stats)}`;
  console.info(`[e2e refresh-ahead soak, ${label}] ${summary}`);
  // Where the waits fell: each waited load and the background requests around it, in ms since the soak began.
  const since = (entry: Seen) => entry.at - started;
  if (waited.length + others.filter(waitedOnRefresh).length > 0)
    console.info(
      `[e2e refresh-ahead waits, ${label}] page loads waited at ${waited.map(since).join(", ")} ms, other requests at ${others
        .filter(waitedOnRefresh)
        .map((entry) => `${since(entry)} ${entry.path}`)
        .join(", ")}; background answers at ${marked.map((entry) => `${since(entry)} ${entry.outcome}`).join(", ")}`,
    );
  const extraPerHour = (count: number) => Math.round((count * 3_600_000) / soakMs);
  // What refresh ahead cost: how long each token was used (from one token's expiry to the next's, over
  // every refresh, whoever led it) against the `lifetime − skew` it is used without refresh ahead.
  const usedMs = (last!.accessTokenExpires - firstExpiry) / stats.refreshes;
  const cost =
    `window ${aheadMs} ms ahead of a ${skewMs} ms skew; ${stats.refreshes} refreshes in ${soakMs} ms, where ${Math.ceil(soakMs / usedWithoutMs)} ` +
    `cover it without refresh ahead; each token used ${(usedMs / 1000).toFixed(2)} s of the ${usedWithoutMs / 1000} s it is used without ` +
    `(${((usedWithoutMs / usedMs - 1) * 100).toFixed(1)}% more refreshes); background requests per refresh ${(marked.length / Math.max(1, stats.refreshes)).toFixed(2)}`;
  console.info(`[e2e refresh-ahead cost, ${label}] ${cost}`);
  console.info(
    `[e2e refresh-ahead figures, ${label}] waited ${waited.length}/${afterFirstExpiry.length} after first expiry; ` +
      `refresh attempts per refreshed token ${(stats.refreshAttempts / Math.max(1, stats.refreshes)).toFixed(3)}; ` +
      `refreshes per ${TTL_SECONDS} s ${((stats.refreshes * TTL_SECONDS * 1000) / soakMs).toFixed(2)}; ` +
      `marked requests per hour visible ${extraPerHour(markedBy(visible))}, hidden ${hidden.map((page) => extraPerHour(markedBy(page))).join("/")}`,
  );

  expect(afterFirstExpiry.length, summary).toBeGreaterThan(10);
  // The target is 0, and so is every run measured since background refreshes cut off by a click stopped
  // counting as outages (quiet, and with three CPU hogs on 2 cores). One is allowed for a machine busier
  // than that; without the component (or with that bug) it is 6 of 16-18.
  expect(waited.length, summary).toBeLessThanOrEqual(1);
  // Every token was refreshed once: no second attempt on a token, no reuse, nothing revoked.
  expect(stats.refreshes, summary).toBeGreaterThanOrEqual(Math.floor(soakMs / (TTL_SECONDS * 1000)));
  expect(stats.refreshAttempts / stats.refreshes, summary).toBeLessThanOrEqual(1.05);
  // No token renewed before the stated window: at most one refresh per `lifetime − skew − ahead` (13 in
  // 50 s when the tab aimed 1.875 s before the skew window, where this allows 11).
  expect(stats.refreshes, `${cost}; ${summary}`).toBeLessThanOrEqual(
    Math.floor(soakMs / (usedWithoutMs - aheadMs)) + 1,
  );
  expect(stats, summary).toMatchObject({ reuseDetections: 0, familiesRevoked: 0 });
  // Only the visible tab refreshes ahead; the hidden ones send nothing in the background.
  for (const page of hidden) expect(markedBy(page), summary).toBe(0);
  expect(markedBy(visible), summary).toBeGreaterThan(0);
  expect(
    seen.filter(
      (entry) => entry.status >= 400 || ["rejected", "anonymous", "unavailable"].includes(String(entry.outcome)),
    ),
    summary,
  ).toEqual([]);
  // The hidden tabs still hold the session; the one on the visible tab's origin (same localStorage) saw
  // its view of the expiry follow the background renewals without a request. (The other instance is
  // another origin, port and all: its tab catches up when shown, through next-auth's focus refetch.)
  for (const page of hidden) await clientStatus(page, "authenticated");
  const lastRenewal = marked.filter((entry) => entry.outcome === "refreshed").at(-1);
  expect(lastRenewal, summary).toBeDefined();
  const shown = Number(await hidden[0]!.getByTestId("session-status").getAttribute("data-expires"));
  expect(shown, summary).toBeGreaterThan(lastRenewal!.at);
}

describe("refresh ahead, in the browser", () => {
  it("soak: one visible tab loading a page every 2.5 s, two hidden tabs: no page load waits after the first expiry, one backend refresh per token", async () => {
    await soak(`skew ${SKEW_SECONDS} s`);
  });

  it("a background refresh cut off by a click (its page left while it is in flight) leaves no back-off, and the next page load still finds the session renewed", async () => {
    const app = stack.instances[0]!.url;
    const visible = await context.newPage();
    await signIn(visible, app);
    const claims = await browserClaims();
    const sent: number[] = [];
    const cutOff: string[] = [];
    context.on("request", (request) => {
      if (request.headers()[MARKER] === "1") sent.push(Date.now());
    });
    context.on("requestfailed", (request) => {
      if (request.headers()[MARKER] === "1") cutOff.push(request.failure()?.errorText ?? "failed");
    });
    // A slow backend keeps the first background refresh in flight while the person clicks on; 0.5 s, so
    // it still lands before the skew window (the tab fires 0.75 s before it opens).
    stack.backend.setOptions({ refreshLatencyMs: 500 });
    stack.backend.resetStats();
    seen = [];
    await waitUntil(() => sent.length > 0, claims!.accessTokenExpires - Date.now());
    await sleep(200);
    await visible.goto(`${app}/dashboard?clicked=1`);
    stack.backend.setOptions({ refreshLatencyMs: 0 });
    await clientStatus(visible, "authenticated");
    // Just inside the skew window, where a page load would have to refresh if nothing had been renewed.
    await sleep(Math.max(0, claims!.accessTokenExpires - SKEW_SECONDS * 1000 + 300 - Date.now()));
    const later = await visible.goto(`${app}/dashboard?later=1`);
    const outcome = outcomeOf(later?.headers()["server-timing"]);
    const state = JSON.parse((await visible.evaluate((key) => localStorage.getItem(key), STATE_KEY)) ?? "{}") as {
      backoffUntil?: number;
    };
    const summary = `background requests sent at ${sent.map((at) => at - claims!.accessTokenExpires).join(", ")} ms from the expiry, cut off ${JSON.stringify(cutOff)}; answered ${JSON.stringify(tally(seen.filter((entry) => entry.marked)))}; the later page load ${outcome}; state ${JSON.stringify(state)}; backend ${JSON.stringify(stack.backend.stats())}`;
    console.info(`[e2e refresh-ahead cut off] ${summary}`);
    // The page really was left mid-request: the browser reports the request cut off (it still delivers it).
    expect(cutOff.length, summary).toBeGreaterThan(0);
    expect(later?.status(), summary).toBe(200);
    expect(["valid", "replayed"], summary).toContain(outcome);
    expect((await browserClaims())!.accessTokenExpires, summary).toBeGreaterThan(claims!.accessTokenExpires);
    // No outage back-off was recorded for every tab: nothing failed at the server.
    expect(state.backoffUntil ?? 0, summary).toBe(0);
    const stats = stack.backend.stats();
    expect(stats, summary).toMatchObject({ reuseDetections: 0, familiesRevoked: 0 });
    expect(stats.refreshAttempts, summary).toBe(stats.refreshes);
  });

  it("a refusal in the background signs every tab out, hidden ones included, without a page load", async () => {
    const app = stack.instances[0]!.url;
    const visible = await context.newPage();
    await signIn(visible, app);
    const hidden = [await hiddenTab(app), await hiddenTab(app)];
    const claims = await browserClaims();
    stack.backend.resetStats();
    // The session dies at the backend (an admin, another device's sign-out).
    const logout = await fetch(`${stack.backend.url}/api/auth/logout`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: claims!.refreshToken }),
    });
    expect(logout.ok).toBe(true);
    seen = [];

    // Before the token expires, the visible tab's background refresh is refused, and every tab learns it.
    for (const page of [visible, ...hidden]) await clientStatus(page, "unauthenticated", TTL_SECONDS * 1000 + 10_000);
    // (A background renewal already in flight at the revocation may still come back `refreshed` first.)
    const marked = seen.filter((entry) => entry.marked);
    expect(marked.filter((entry) => entry.outcome === "rejected")).toHaveLength(1);
    expect(marked.at(-1)!.outcome).toBe("rejected");
    expect(marked.at(-1)!.at).toBeLessThan(claims!.accessTokenExpires + TTL_SECONDS * 1000);
    expect(seen.filter((entry) => entry.navigation)).toEqual([]);
    expect(await browserClaims()).toBeNull();
    const stats = stack.backend.stats();
    expect(stats.refreshAttempts - stats.refreshes, JSON.stringify(stats)).toBe(1);
    // And a page load now shows the login page.
    await visible.reload();
    await visible.waitForURL(`${app}/login?callbackUrl=%2Fdashboard`);
  });

  it("an outage in the background is tried by its Retry-After, a bounded number of times, and never after the expiry", async () => {
    const app = stack.instances[0]!.url;
    const visible = await context.newPage();
    await signIn(visible, app);
    await hiddenTab(app);
    const claims = await browserClaims();
    stack.backend.setOptions({ failMode: "down" });
    stack.backend.resetStats();
    seen = [];

    // Past the expiry, and as long again: nothing may happen in the background after it.
    await sleep(Math.max(0, claims!.accessTokenExpires - Date.now()) + TTL_SECONDS * 1000);
    const marked = seen.filter((entry) => entry.marked);
    const summary = `${marked.length} background requests ${JSON.stringify(tally(marked))} at ${marked.map((entry) => entry.at - claims!.accessTokenExpires).join(", ")} ms from the expiry; backend ${JSON.stringify(stack.backend.stats())}`;
    console.info(`[e2e refresh-ahead outage] ${summary}`);
    expect(marked.length, summary).toBeGreaterThan(0);
    expect(marked.length, summary).toBeLessThanOrEqual(3);
    for (const entry of marked) expect(entry.at, summary).toBeLessThan(claims!.accessTokenExpires);
    for (const [index, entry] of marked.entries())
      if (index > 0) expect(entry.at - marked[index - 1]!.at, summary).toBeGreaterThanOrEqual(1_900);
    expect(
      marked.every((entry) => entry.outcome === "unavailable" && entry.status === 200),
      summary,
    ).toBe(true);
    // Still signed in: an outage never signs anyone out.
    await clientStatus(visible, "authenticated");
    expect(await browserClaims()).toMatchObject({ refreshToken: claims!.refreshToken });
  });
});

describe("refresh ahead with the default 30 s skew and 10 s tokens (the server caps the window at 6 s to 5 s)", () => {
  beforeAll(async () => {
    // The same app without SESSION_REFRESH_SKEW_SECONDS: the tab must aim at the window the session states
    // for these short tokens, not at the nominal 30 s skew (it used to ask at once, be told "not yet", and
    // give up until the expiry).
    await stack.stop();
    stack = await startStack({ instances: 2, backend: { accessTokenTtlSeconds: TTL_SECONDS } });
  });

  it("soak: no page load waits after the first expiry, one backend refresh per token", async () => {
    await soak("default skew");
  });
});
