/**
 * The fixture apps (fixtures/app-router on Next 16, fixtures/pages-router on Next 15.5; the packed tarball
 * installed, see test-support/fixture-app.ts) in real Chromium tabs of one profile, on two `next start`
 * instances sharing one Redis and the rotating reference backend: sign in through the app's own /login
 * form, let the access token expire, open 6 tabs on its protected page at once: one backend refresh, no
 * reuse, every tab shows the profile and the app's own `role` claim, and neither the page nor useSession's
 * /api/auth/session JSON holds a token. The Pages Router app also shows the package's client helpers
 * (the access-token countdown of `_app.tsx`) with the refreshed expiry.
 */
import { type Browser, type BrowserContext, type Page, type Response as PageResponse } from "playwright-core";
import { launchChromium } from "../test-support/chromium";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tearDownStack } from "../test-support/stack-teardown";
import { ensureFixtureBuilt, FIXTURE_BUILD_TIMEOUT_MS, type FixtureName } from "../test-support/fixture-app";
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  SESSION_COOKIE,
  decodeWithNextAuth,
  sleep,
  startStack,
  type Stack,
} from "../test-support/stack";

const LOGIN_TTL_SECONDS = 4;
const TABS = 6;
const SETUP_NAVIGATION_TIMEOUT_MS = 45_000;

/** Which fixtures render the package's client helpers (the access-token countdown in `_app.tsx`). */
const FIXTURES: ReadonlyArray<{ name: FixtureName; clientHelpers: boolean }> = [
  { name: "app-router", clientHelpers: false },
  { name: "pages-router", clientHelpers: true },
];

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let seen: Array<{ url: string; status: number; outcome: string; body?: Promise<string | null> }> = [];

/**
 * The origin the browser uses: NEXTAUTH_URL's (test-support/next-app.ts sets http://localhost:<port>), as in
 * a deployment where people open the app at its configured URL. Next 15's middleware sees every request as
 * http://localhost:<port> (not the Host header), so its login redirect lands there whatever the tab opened.
 */
function appOrigin(instance: { port: number }): string {
  return `http://localhost:${instance.port}`;
}

function outcomeOf(response: PageResponse): string | null {
  return /session;desc="([a-z]+)"/.exec(response.headers()["server-timing"] ?? "")?.[1] ?? null;
}

async function browserClaims(): Promise<Record<string, unknown>> {
  const cookie = (await context.cookies(appOrigin(stack.instances[0]!))).find((entry) => entry.name === SESSION_COOKIE);
  expect(cookie?.httpOnly).toBe(true);
  const claims = await decodeWithNextAuth(stack.secret, cookie!.value);
  expect(claims).not.toBeNull();
  return claims!;
}

async function expectSignedIn(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId("profile-email").textContent(), { timeout: 10_000 }).toBe(DEMO_EMAIL);
  expect(await page.getByTestId("server-role").textContent()).toBe("admin");
  await page.waitForSelector('[data-testid="session-status"][data-status="authenticated"]', { timeout: 10_000 });
  expect(await page.getByTestId("session-status").textContent()).toContain("(admin)");
}

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(FIXTURES)("fixtures/$name in Chromium", ({ name, clientHelpers }) => {
  beforeAll(async () => {
    const build = await ensureFixtureBuilt(name);
    stack = await startStack({
      instances: 2,
      backend: { accessTokenTtlSeconds: LOGIN_TTL_SECONDS, refreshLatencyMs: 300 },
      env: { SESSION_REFRESH_SKEW_SECONDS: "0" },
      ...build,
    });
    context = await browser.newContext({ viewport: { width: 900, height: 600 } });
    context.setDefaultTimeout(15_000);
    seen = [];
    context.on("response", (response) => {
      const outcome = outcomeOf(response);
      if (outcome === null) return;
      const body =
        new URL(response.url()).pathname === "/api/auth/session" ? response.text().catch(() => null) : undefined;
      seen.push({ url: response.url(), status: response.status(), outcome, body });
    });
  }, FIXTURE_BUILD_TIMEOUT_MS);

  tearDownStack({ stack: () => stack, browser: () => context });

  it(`signs in through its /login form, then ${TABS} tabs on an expired token share one refresh`, async () => {
    const apps = stack.instances.map(appOrigin);
    // The tabs exist already (a user's open tabs), each on the login page of the instance it will use.
    const tabs: Page[] = [];
    for (let index = 0; index < TABS; index++) tabs.push(await context.newPage());
    // Setup, not what is measured: a longer wait, since 6 first page loads on a busy machine can take a while.
    await Promise.all(
      tabs.map((tab, index) =>
        tab.goto(`${apps[index % apps.length]}/login`, {
          waitUntil: "networkidle",
          timeout: SETUP_NAVIGATION_TIMEOUT_MS,
        }),
      ),
    );

    const home = await context.newPage();
    await home.goto(`${apps[0]}/dashboard`);
    await home.waitForURL(`${apps[0]}/login?callbackUrl=%2Fdashboard`);
    await home.locator('input[name="identifier"]').fill(DEMO_EMAIL);
    await home.locator('input[name="password"]').fill(DEMO_PASSWORD);
    await home.getByRole("button", { name: "Sign in" }).click();
    await home.waitForURL(`${apps[0]}/dashboard`);
    await expectSignedIn(home);
    const before = await browserClaims();
    expect(before).toMatchObject({ role: "admin" });
    expect(await home.content()).not.toContain(before.refreshToken as string);

    stack.backend.setOptions({ accessTokenTtlSeconds: 60 });
    const waitMs = (before.accessTokenExpires as number) - Date.now() + 100;
    if (waitMs > 0) await sleep(waitMs);
    stack.backend.resetStats();
    seen = [];

    // Each tab its own URL (?tab=N), so Chromium's cache does not queue them behind one another.
    const navigations = await Promise.all(
      tabs.map((tab, index) => tab.goto(`${apps[index % apps.length]}/dashboard?tab=${index}`)),
    );
    for (const response of navigations) expect(response?.status()).toBe(200);
    await Promise.all(tabs.map((tab) => expectSignedIn(tab)));

    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({
      refreshes: 1,
      refreshAttempts: 1,
      reuseDetections: 0,
      familiesRevoked: 0,
    });
    const outcomes: Record<string, number> = {};
    for (const { outcome } of seen) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    expect(outcomes.refreshed, JSON.stringify(outcomes)).toBe(1);
    expect(
      seen.filter((entry) => entry.status >= 400 || ["rejected", "anonymous", "unavailable"].includes(entry.outcome)),
    ).toEqual([]);

    const after = await browserClaims();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after).toMatchObject({ role: "admin" });
    const bodies = (await Promise.all(seen.map((entry) => entry.body ?? null))).filter(
      (body): body is string => body !== null,
    );
    expect(bodies.length, "no /api/auth/session answer was read").toBeGreaterThan(0);
    for (const body of bodies) {
      expect(JSON.parse(body)).toMatchObject({ user: { email: DEMO_EMAIL, role: "admin" } });
      for (const token of [before.refreshToken, after.refreshToken, after.accessToken] as string[])
        expect(body).not.toContain(token);
    }
    for (const tab of tabs) expect(await tab.content()).not.toContain(after.refreshToken as string);
    if (clientHelpers) {
      // The package's client helpers in _app.tsx: the countdown runs to the refreshed expiry (about 60 s
      // away now), not to the expired one.
      for (const tab of tabs) {
        await expect
          .poll(() => tab.getByTestId("access-countdown").textContent(), { timeout: 10_000 })
          .toMatch(/renews in 0:[3-5]\d|renews in 1:00/);
      }
    }
    console.info(
      `[e2e fixture ${name}] ${TABS} tabs: outcomes ${JSON.stringify(outcomes)} over ${seen.length} middleware responses; backend ${JSON.stringify(stats)}`,
    );
  });
});
