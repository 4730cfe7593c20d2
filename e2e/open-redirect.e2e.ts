/**
 * The open redirect, in a real browser: sign in through the /login form of a real `next start` (real
 * reference backend, real Redis lock store) with hostile callbackUrls — dot segments that normalise to
 * `//host`, encoded dots, schemes, backslashes — and land on the app's own /dashboard every time, with no
 * request ever leaving the app's origin. The page runs under the nonce CSP with no violation reported.
 * Needs Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH).
 */
import { type Browser, type Request } from "playwright-core";
import { launchChromium } from "../test-support/chromium";
import { beforeAll, describe, expect, it } from "vitest";
import { tearDownStack } from "../test-support/stack-teardown";
import { DEMO_EMAIL, DEMO_PASSWORD, startStack, type Stack } from "../test-support/stack";
import { ensureAppBuilt } from "../test-support/next-app";

let stack: Stack;
let browser: Browser;
let app: string;

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({ instances: 1 });
  app = stack.instances[0]!.url;
  browser = await launchChromium();
});

tearDownStack({ stack: () => stack, browser: () => browser });

/** The query string as an attacker would write it: the reported forms raw, the rest encoded. */
const HOSTILE: ReadonlyArray<readonly [string, string]> = [
  ["/.//evil.example/x (raw)", "callbackUrl=/.//evil.example/x"],
  ["/..//evil.example/x (raw)", "callbackUrl=/..//evil.example/x"],
  ["/%2e//evil.example/x (raw)", "callbackUrl=/%2e//evil.example/x"],
  ["/a/..//evil.example/x (raw)", "callbackUrl=/a/..//evil.example/x"],
  ["/dashboard/..//evil.example/x (raw)", "callbackUrl=/dashboard/..//evil.example/x"],
  ["/.//evil.example/x (encoded)", `callbackUrl=${encodeURIComponent("/.//evil.example/x")}`],
  ["//evil.example", `callbackUrl=${encodeURIComponent("//evil.example")}`],
  ["/\\evil.example", `callbackUrl=${encodeURIComponent("/\\evil.example")}`],
  ["https://evil.example/x", `callbackUrl=${encodeURIComponent("https://evil.example/x")}`],
  ["javascript:alert(1)", `callbackUrl=${encodeURIComponent("javascript:alert(document.domain)")}`],
];

describe("signing in with a hostile callbackUrl stays on the app", () => {
  it.each(HOSTILE)("%s → the app's /dashboard", async (_, query) => {
    const context = await browser.newContext();
    context.setDefaultTimeout(15_000);
    const origin = new URL(app).origin;
    const foreign: string[] = [];
    const violations: string[] = [];
    // Every request the page starts, until it finishes or fails: the page is done when none is open.
    const open = new Set<Request>();
    let settled: () => void = () => undefined;
    const finish = (request: Request) => {
      open.delete(request);
      if (open.size === 0) settled();
    };
    context.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith("data:") && new URL(url).origin !== origin) foreign.push(url);
      open.add(request);
    });
    context.on("requestfinished", finish);
    context.on("requestfailed", finish);
    const page = await context.newPage();
    page.on("console", (message) => {
      if (/content security policy/i.test(message.text())) violations.push(message.text());
    });
    let dialogs = 0;
    page.on("dialog", (dialog) => {
      dialogs++;
      void dialog.dismiss();
    });
    try {
      await page.goto(`${app}/login?${query}`);
      await page.locator('input[name="identifier"]').fill(DEMO_EMAIL);
      await page.locator('input[name="password"]').fill(DEMO_PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL(`${app}/dashboard`);
      await expect.poll(() => page.getByTestId("profile-email").textContent(), { timeout: 10_000 }).toBe(DEMO_EMAIL);
      // The sign-in form's last act (router.replace, then router.refresh) ends in requests of its own; a
      // late navigation anywhere would be one more. Judge once every request the page started has ended.
      await new Promise<void>((resolvePromise) => {
        settled = resolvePromise;
        if (open.size === 0) resolvePromise();
      });
      expect(new URL(page.url()).origin).toBe(origin);
      expect(new URL(page.url()).pathname).toBe("/dashboard");
      expect(foreign).toEqual([]);
      expect(dialogs).toBe(0);
      expect(violations).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
