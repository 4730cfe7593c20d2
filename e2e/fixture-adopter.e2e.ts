/**
 * fixtures/adopter (an App Router app on Next 16 written from the package README and MIGRATING.md alone, the
 * packed tarball installed; the build integration/fixture-adopter.test.ts made, reused) in real Chromium, with
 * the package's default security headers: its static `/` and `/about` (prerendered, so no nonce) hydrate, and
 * `/about`'s image from another origin loads, with zero Content-Security-Policy violations; its protected
 * `/dashboard` still works after signing in through its own /login form (issue 23, parts 2 and 8).
 */
import { type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium } from "../test-support/chromium";
import { ensureFixtureBuilt, FIXTURE_BUILD_TIMEOUT_MS } from "../test-support/fixture-app";
import { DEMO_EMAIL, DEMO_PASSWORD, startStack, type Stack } from "../test-support/stack";

/** A 1×1 transparent PNG, served for the other origin's image. */
const PIXEL = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);
const OTHER_ORIGIN_IMAGE = "https://images.example.com/team.png";

let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let violations: string[] = [];
let imageRequests = 0;

/** The origin people open: NEXTAUTH_URL's (test-support/next-app.ts sets http://localhost:<port>). */
function app(): string {
  return `http://localhost:${stack.instances[0]!.port}`;
}

async function watched(page: Page): Promise<Page> {
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  // What the console says and what the document reports, so neither a wording change nor a lost log hides one.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      console.error(`Content Security Policy violation: ${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return page;
}

async function expectHydrated(page: Page): Promise<void> {
  const like = page.getByTestId("like");
  expect(await like.textContent()).toBe("Likes: 0");
  await like.click();
  await expect.poll(() => like.textContent(), { timeout: 10_000 }).toBe("Likes: 1");
  await like.click();
  await expect.poll(() => like.textContent(), { timeout: 10_000 }).toBe("Likes: 2");
}

beforeAll(async () => {
  const build = await ensureFixtureBuilt("adopter");
  stack = await startStack({ instances: 1, ...build });
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 900, height: 600 } });
  context.setDefaultTimeout(15_000);
  await context.route(OTHER_ORIGIN_IMAGE, (route) => {
    imageRequests += 1;
    return route.fulfill({ status: 200, contentType: "image/png", body: PIXEL });
  });
}, FIXTURE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await stack?.stop();
});

afterEach(({ task }) => {
  if (task.result?.state === "fail" && stack) console.error(stack.output(), violations);
});

describe("fixtures/adopter in Chromium, default security headers", () => {
  it("its static / and /about hydrate (the button counts), the other origin's image loads, 0 CSP violations", async () => {
    violations = [];
    const page = await watched(await context.newPage());
    for (const path of ["/", "/about"]) {
      const response = await page.goto(`${app()}${path}`, { waitUntil: "networkidle" });
      expect(response?.status()).toBe(200);
      await expectHydrated(page);
    }
    expect(imageRequests).toBeGreaterThan(0);
    expect(await page.locator("img").evaluate((image: HTMLImageElement) => image.naturalWidth)).toBe(1);
    expect(violations).toEqual([]);
    await page.close();
  });

  it("its protected /dashboard still works: sign in through /login, the identity shows, 0 CSP violations", async () => {
    violations = [];
    const page = await watched(await context.newPage());
    await page.goto(`${app()}/dashboard`);
    await page.waitForURL(`${app()}/login?callbackUrl=%2Fdashboard`);
    await page.waitForLoadState("networkidle");
    await page.getByLabel("Email").fill(DEMO_EMAIL);
    await page.getByLabel("Password").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${app()}/dashboard`);
    expect(await page.getByTestId("identity").textContent()).toBe(DEMO_EMAIL);
    // A client page after sign-in still hydrates, with the session in SessionProvider.
    await page.goto(`${app()}/about`, { waitUntil: "networkidle" });
    await expectHydrated(page);
    expect(violations).toEqual([]);
    await page.close();
  });
});
