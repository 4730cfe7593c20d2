/**
 * The sign-in limit's message in a real browser: wrong passwords typed into the /login form of a real
 * `next start` (shared store behind the Upstash bridge, reference backend), from one address set as the
 * platform would (x-forwarded-for), until the page says "Too many attempts; try again in N minutes." —
 * and the code in the URL shows only the fixed sentence, never text of its own.
 * Needs Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
import { type Browser } from "playwright-core";
import { launchChromium } from "../test-support/chromium";
import { beforeAll, describe, expect, it } from "vitest";
import { tearDownStack } from "../test-support/stack-teardown";
import { ensureAppBuilt } from "../test-support/next-app";
import { DEMO_EMAIL, startStack, type Stack } from "../test-support/stack";

let stack: Stack;
let browser: Browser;
let app: string;

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({ instances: 1, env: { SIGNIN_CLIENT_IP_HEADER: "x-forwarded-for" } });
  app = stack.instances[0]!.url;
  browser = await launchChromium();
});

tearDownStack({ stack: () => stack, browser: () => browser });

describe("the login page tells the person to wait", () => {
  it("after 5 wrong passwords from one address, the 6th attempt shows the fixed message and never reaches the backend", async () => {
    const context = await browser.newContext({ extraHTTPHeaders: { "x-forwarded-for": "198.51.100.50" } });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    try {
      stack.backend.resetStats();
      await page.goto(`${app}/login`);
      const alert = page.getByTestId("login-error");
      for (let i = 1; i <= 6; i++) {
        await page.locator('input[name="identifier"]').fill(DEMO_EMAIL);
        await page.locator('input[name="password"]').fill(`wrong-${i}`);
        await page.getByRole("button", { name: "Sign in" }).click();
        const expected =
          i <= 5 ? "Invalid email or password." : /^Too many attempts; try again in ([1-9]|1[0-5]) minutes?\.$/;
        await expect.poll(() => alert.textContent(), { timeout: 10_000 }).toMatch(expected);
        // The button comes back once the answer is shown: the next attempt is a new one.
        await expect.poll(() => page.getByRole("button", { name: "Sign in" }).isEnabled()).toBe(true);
      }
      expect(stack.backend.loginRequests().map((r) => r.forwardedFor)).toEqual(Array(5).fill("198.51.100.50"));
    } finally {
      await context.close();
    }
  });

  it("the code in the URL shows the fixed sentence with its minutes, and nothing else it carries", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${app}/login?error=TooManyAttempts:7`);
      expect(await page.getByTestId("login-error").textContent()).toBe("Too many attempts; try again in 7 minutes.");
      await page.goto(`${app}/login?error=${encodeURIComponent("TooManyAttempts:7 — call +1-555-SCAM")}`);
      expect(await page.getByTestId("login-error").textContent()).toBe("Sign-in failed. Please try again.");
    } finally {
      await context.close();
    }
  });
});
