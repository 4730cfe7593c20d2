/**
 * Security headers and the login page's error text, from outside, against real `next start` instances:
 * every page the matcher covers and the API carry the nonce CSP the demo chooses (security: { csp: "nonce" };
 * all its pages are dynamic), which Next also put on its own scripts, nosniff and a Referrer-Policy; HSTS only
 * when NEXTAUTH_URL is https; /login (outside the canonical matcher) never shows text from the URL.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureAppBuilt, startNextInstance, type NextInstance } from "../test-support/next-app";
import { cookieHeader, storeCookies } from "../test-support/sign-in";
import { DEMO_EMAIL, DEMO_PASSWORD, backendLogin, startStack, type Stack } from "../test-support/stack";
import { mintSessionCookie } from "edge-session-refresh/testing";

let stack: Stack;
let app: string;
let httpsApp: NextInstance | undefined;

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({ instances: 1 });
  app = stack.instances[0]!.url;
});

afterAll(async () => {
  await httpsApp?.stop();
  await stack?.stop();
});

afterEach(({ task }) => {
  if (task.result?.state === "fail" && stack) console.error(stack.output(), httpsApp?.output() ?? "");
});

async function signedInCookie(): Promise<string> {
  const tokens = await backendLogin(stack.backend.url);
  return (
    await mintSessionCookie({
      secret: stack.secret,
      tokens,
      user: { id: "user-1", name: "Demo User", email: DEMO_EMAIL },
    })
  ).header;
}

function get(base: string, path: string, cookie?: string): Promise<Response> {
  return fetch(`${base}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
}

/** The nonce of the response's CSP, after checking the policy's fixed parts. */
function expectPolicy(response: Response): string {
  const policy = response.headers.get("content-security-policy");
  expect(policy, response.url).toBeTruthy();
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]+)' 'strict-dynamic'(;|$)/.exec(policy!)?.[1];
  expect(nonce, policy!).toBeTruthy();
  expect(policy).not.toContain("unsafe-eval");
  for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"])
    expect(policy).toContain(directive);
  expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  return nonce!;
}

/** Every <script> in the HTML carries the response's nonce (Next's own inline and chunk scripts included). */
function expectScriptsNonced(html: string, nonce: string): void {
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag, tag).toContain(`nonce="${nonce}"`);
}

describe("security headers", () => {
  it("/: CSP with a fresh nonce on every script, nosniff, Referrer-Policy, no HSTS over http", async () => {
    const first = await get(app, "/");
    expect(first.status).toBe(200);
    const nonce = expectPolicy(first);
    expectScriptsNonced(await first.text(), nonce);
    expect(first.headers.get("strict-transport-security")).toBeNull();
    const second = await get(app, "/");
    expect(expectPolicy(second)).not.toBe(nonce);
    await second.body?.cancel();
  });

  it("/dashboard signed in and /api/profile carry them too", async () => {
    const cookie = await signedInCookie();
    const dashboard = await get(app, "/dashboard", cookie);
    expect(dashboard.status).toBe(200);
    const html = await dashboard.text();
    expect(html).toContain(DEMO_EMAIL);
    expectScriptsNonced(html, expectPolicy(dashboard));

    const api = await get(app, "/api/profile", cookie);
    expect(api.status).toBe(200);
    expectPolicy(api);
    await api.body?.cancel();

    // The redirect of a signed-out page as well.
    const redirect = await get(app, "/dashboard");
    expect(redirect.status).toBe(307);
    expectPolicy(redirect);
  });

  it("a response that clears the session cookie is private, no-store", async () => {
    const response = await get(app, "/api/profile", "next-auth.session-token=not-a-jwe");
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie().join()).toContain("next-auth.session-token=");
    expect(response.headers.get("cache-control")).toBe("private, no-store");
  });

  it("HSTS when NEXTAUTH_URL is https", async () => {
    httpsApp = await startNextInstance({ env: { ...stack.env, NEXTAUTH_URL: "https://app.example.test" } });
    const response = await get(httpsApp.url, "/");
    expect(response.status).toBe(200);
    expect(response.headers.get("strict-transport-security")).toMatch(/^max-age=\d{7,}; includeSubDomains$/);
    expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
    await response.body?.cancel();
  });
});

describe("/login shows only known error text", () => {
  it.each([
    ["a script", '<script>alert("pwned-7f3a")</script>'],
    ["an unknown code", "pwned-7f3a"],
    ["a fake backend message", "Your account is locked, call pwned-7f3a now"],
    ["an HTML attribute breakout", '"><img src=x onerror=alert(1)>pwned-7f3a'],
  ])("error= %s is never echoed", async (_, error) => {
    const response = await get(app, `/login?error=${encodeURIComponent(error)}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    // Next's router state (inside a nonce'd <script>) carries the page's own URL, JSON-escaped; that is
    // data for the client router, not text on the page. Everything rendered must be free of it.
    const rendered = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, "");
    expect(rendered).not.toContain("pwned-7f3a");
    expect(rendered).not.toContain("<img");
    expect(/data-testid="login-error">([^<]*)</.exec(rendered)?.[1]).toBe("Sign-in failed. Please try again.");
    // The props the client form renders from are the fixed text too.
    expect(html).toContain('\\"initialError\\":\\"Sign-in failed. Please try again.\\"');
  });

  it("a known code shows its own text", async () => {
    const html = await (await get(app, "/login?error=SessionExpired")).text();
    expect(html).toContain("Your session has expired");
  });
});

describe("next-auth's redirect callback keeps sign-in on the app", () => {
  it.each([
    "/.//evil.example/x",
    "/%2e//evil.example/x",
    "https://evil.example/x",
    "//evil.example",
    "/\t/evil.example",
    "/dashboard?tab=1",
  ])("callbackUrl %j", async (callbackUrl) => {
    const jar = new Map<string, string>();
    const csrf = await fetch(`${app}/api/auth/csrf`);
    storeCookies(jar, csrf);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const response = await fetch(`${app}/api/auth/callback/credentials`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      body: new URLSearchParams({ csrfToken, identifier: DEMO_EMAIL, password: DEMO_PASSWORD, callbackUrl }),
    });
    await response.body?.cancel();
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    // next-auth builds the redirect on NEXTAUTH_URL (http://localhost:<port> for these instances).
    expect(location.origin).toBe(`http://localhost:${stack.instances[0]!.port}`);
    expect(`${location.pathname}${location.search}`).toBe(
      callbackUrl === "/dashboard?tab=1" ? "/dashboard?tab=1" : "/dashboard",
    );
    expect(response.headers.getSetCookie().some((line) => line.startsWith("next-auth.session-token="))).toBe(true);
  });
});
