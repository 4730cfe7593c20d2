import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server.js";
import { createSessionCodec } from "../core/session/codec";
import { createSessionGate } from "../core/gate/session-gate";
import { sessionCookieName } from "../core/session/chunks";
import { createMemoryLockStore } from "../stores/memory";
import { testCoordinator } from "../core/refresh/test-support/coordinator";
import { sessionMiddlewareWith, sessionRoutes } from "./create-session-middleware";
import { createGatedMiddleware } from "./gate-response";

describe("an app's own protected paths and login page", () => {
  const routes = sessionRoutes({
    protectedPages: ["/account", "/orders"],
    protectedApis: ["/api/account"],
    loginPath: "/signin",
  });

  it.each([
    ["/account", "page"],
    ["/account/settings", "page"],
    ["/accounts", "optional"],
    ["/orders/7", "page"],
    ["/api/account", "api"],
    ["/api/account/x", "api"],
    ["/dashboard", "optional"],
    ["/api/auth/session", "optional"],
  ])("%s is %s", (path, kind) => {
    expect(routes.kind(path)).toBe(kind);
  });

  it("refuses configurations that cannot work", () => {
    expect(() => sessionRoutes({ protectedPages: ["/"] })).toThrow(/protectedPages/);
    expect(() => sessionRoutes({ protectedPages: ["account"] })).toThrow(/protectedPages/);
    expect(() => sessionRoutes({ protectedPages: ["/app"], loginPath: "/app/login" })).toThrow(/nobody could sign in/);
    expect(() => sessionRoutes({ protectedPages: ["/a"], loginPath: "https://evil.example/" })).toThrow(/loginPath/);
    expect(sessionRoutes({ protectedPages: ["/a"] }).loginPath).toBe("/login");
  });

  it("the middleware redirects to the app's login page and answers 401 on its APIs", async () => {
    const codec = createSessionCodec({ secrets: ["app-middleware-secret-0123456789"], maxAgeSeconds: 3600 });
    const coordinator = testCoordinator({
      store: createMemoryLockStore(),
      backend: { refresh: async () => ({ kind: "rejected", status: 401 }) },
    });
    const gate = createSessionGate({
      codec,
      coordinator,
      secureCookies: false,
      refreshSkewMs: 0,
      sessionMaxAgeSeconds: 3600,
    });
    const middleware = createGatedMiddleware({ gate: () => gate, routes });
    const page = await middleware(new NextRequest("http://localhost:3000/account?tab=1"));
    expect(page.status).toBe(307);
    const location = new URL(page.headers.get("location")!);
    expect(`${location.pathname}?${location.searchParams}`).toBe("/signin?callbackUrl=%2Faccount%3Ftab%3D1");
    expect((await middleware(new NextRequest("http://localhost:3000/api/account"))).status).toBe(401);
    expect(
      (await middleware(new NextRequest("http://localhost:3000/dashboard"))).headers.get("x-middleware-next"),
    ).toBe("1");
    // A refused refresh lands on the app's login page too.
    const expired = await codec.encode({
      sub: "u",
      accessToken: "a",
      refreshToken: "r",
      accessTokenExpires: Date.now() - 1000,
    });
    const refused = await middleware(
      new NextRequest("http://localhost:3000/orders", {
        headers: { cookie: `${sessionCookieName(false)}=${expired}` },
      }),
    );
    expect(new URL(refused.headers.get("location")!).pathname + new URL(refused.headers.get("location")!).search).toBe(
      "/signin?error=SessionExpired",
    );
  });
});

describe("the login redirect of createSessionMiddleware", () => {
  const anonymous = () => ({ check: async () => ({ outcome: "anonymous", writes: [], jar: new Map() }) }) as never;
  // What Next 15's self-hosted middleware sees for every request: localhost, whatever Host it came with.
  const seen = (headers: Record<string, string>) => new NextRequest("http://localhost:3000/account?x=1", { headers });
  const locationWith = async (env: Record<string, string>, headers: Record<string, string>) => {
    const middleware = sessionMiddlewareWith(
      { protectedPages: ["/account"], security: false },
      { gate: anonymous, env: () => env },
    );
    const location = (await middleware(seen(headers))).headers.get("location")!;
    expect(new URL(location).pathname).toBe("/login");
    expect(new URL(location).searchParams.get("callbackUrl")).toBe("/account?x=1");
    return new URL(location).origin;
  };

  it("goes to NEXTAUTH_URL's origin when it is set", async () => {
    expect(await locationWith({ NEXTAUTH_URL: "https://app.example.com" }, { host: "localhost:3000" })).toBe(
      "https://app.example.com",
    );
  });

  it("behind a trusted proxy (AUTH_TRUST_HOST, VERCEL) without NEXTAUTH_URL: the forwarded host and scheme", async () => {
    const proxied = { host: "localhost:3000", "x-forwarded-host": "app.example.com", "x-forwarded-proto": "https" };
    expect(await locationWith({ AUTH_TRUST_HOST: "1" }, proxied)).toBe("https://app.example.com");
    expect(await locationWith({ VERCEL: "1" }, proxied)).toBe("https://app.example.com");
    // Untrusted, a client's X-Forwarded-Host is ignored.
    expect(await locationWith({}, { ...proxied, host: "shop.example" })).toBe("http://shop.example");
  });
});

describe("the security headers of createSessionMiddleware", () => {
  const anonymous = () => ({ check: async () => ({ outcome: "anonymous", writes: [], jar: new Map() }) }) as never;
  const https = () => ({ dev: false, https: true });
  const directives = (policy: string | null) =>
    new Map((policy ?? "").split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)]));

  it("are on by default and cannot block what a page loads: frame-ancestors 'self' only, no nonce, nosniff, Referrer-Policy, HSTS on https", async () => {
    const middleware = sessionMiddlewareWith({ protectedPages: ["/account"] }, { gate: anonymous, environment: https });
    for (const path of ["/", "/account", "/login"]) {
      const response = await middleware(new NextRequest(`http://localhost:3000${path}`));
      const csp = directives(response.headers.get("content-security-policy"));
      expect([...csp.keys()], path).toEqual(["frame-ancestors"]);
      expect(csp.get("frame-ancestors"), path).toEqual(["'self'"]);
      expect(response.headers.get("x-frame-options"), path).toBe("SAMEORIGIN");
      expect(response.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(response.headers.get("referrer-policy"), path).toBe("strict-origin-when-cross-origin");
      expect(response.headers.get("strict-transport-security"), path).toMatch(/^max-age=\d+/);
      // No nonce goes to the page: a prerendered page and a dynamic one are served alike.
      expect(response.headers.get("x-middleware-request-x-nonce"), path).toBeNull();
      expect(response.headers.get("x-middleware-request-content-security-policy"), path).toBeNull();
    }
    const plain = sessionMiddlewareWith(
      { protectedPages: ["/account"] },
      { gate: anonymous, environment: () => ({ dev: false, https: false }) },
    );
    expect(
      (await plain(new NextRequest("http://localhost:3000/"))).headers.get("strict-transport-security"),
    ).toBeNull();
  });

  it('csp: "nonce" is the strict nonce policy, with the nonce on the forwarded request', async () => {
    const middleware = sessionMiddlewareWith(
      { protectedPages: ["/account"], security: { csp: "nonce" } },
      { gate: anonymous, environment: https },
    );
    for (const path of ["/", "/account", "/login"]) {
      const response = await middleware(new NextRequest(`http://localhost:3000${path}`));
      const csp = directives(response.headers.get("content-security-policy"));
      expect(csp.get("frame-ancestors"), path).toEqual(["'none'"]);
      expect(response.headers.get("x-frame-options"), path).toBe("DENY");
      const nonce = csp.get("script-src")?.find((source) => /^'nonce-[A-Za-z0-9+/=]{16,}'$/.test(source));
      expect(nonce, path).toBeDefined();
      if (path !== "/account")
        expect(`'nonce-${response.headers.get("x-middleware-request-x-nonce")}'`, path).toBe(nonce);
      expect(response.headers.get("strict-transport-security"), path).toMatch(/^max-age=\d+/);
    }
  });

  it('csp: "nonce" warns once in development, naming the option, and never in production', async () => {
    const lines: string[] = [];
    const warn = (line: string) => lines.push(line);
    const dev = sessionMiddlewareWith(
      { protectedPages: ["/account"], security: { csp: "nonce" } },
      { gate: anonymous, environment: () => ({ dev: true, https: false }), warn },
    );
    for (let i = 0; i < 3; i++) await dev(new NextRequest("http://localhost:3000/"));
    expect(lines.map((line) => JSON.parse(line) as { event: string; setting: string })).toEqual([
      expect.objectContaining({ event: "nonce-csp-needs-dynamic-pages", setting: "security.csp" }),
    ]);
    const prod = sessionMiddlewareWith(
      { protectedPages: ["/account"], security: { csp: "nonce" } },
      { gate: anonymous, environment: https, warn },
    );
    await prod(new NextRequest("http://localhost:3000/"));
    const baseline = sessionMiddlewareWith(
      { protectedPages: ["/account"] },
      { gate: anonymous, environment: () => ({ dev: true, https: false }), warn },
    );
    await baseline(new NextRequest("http://localhost:3000/"));
    expect(lines).toHaveLength(1);
  });

  it("refuses an unknown csp policy when the middleware is created", () => {
    expect(() =>
      sessionMiddlewareWith({ protectedPages: ["/a"], security: { csp: "strict" as never } }, { gate: anonymous }),
    ).toThrow(/security\.csp/);
  });

  it("baseline additions become the policy's other directives; a partner allowed to frame the app drops X-Frame-Options", async () => {
    const middleware = sessionMiddlewareWith(
      {
        protectedPages: ["/account"],
        security: {
          contentSecurityPolicy: { "frame-ancestors": ["https://partner.example"], "object-src": ["'none'"] },
        },
      },
      { gate: anonymous, environment: https },
    );
    const response = await middleware(new NextRequest("http://localhost:3000/"));
    const csp = directives(response.headers.get("content-security-policy"));
    expect(csp.get("frame-ancestors")).toEqual(["'self'", "https://partner.example"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(response.headers.get("x-frame-options")).toBeNull();
  });

  it("extend with extra CSP sources: appended, 'none' replaced, new directives added, the nonce kept", async () => {
    const middleware = sessionMiddlewareWith(
      {
        protectedPages: ["/account"],
        security: {
          csp: "nonce",
          contentSecurityPolicy: {
            "img-src": ["https://cdn.example"],
            "frame-ancestors": ["https://partner.example"],
            "worker-src": ["'self'"],
          },
        },
      },
      { gate: anonymous, environment: https },
    );
    const csp = directives(
      (await middleware(new NextRequest("http://localhost:3000/"))).headers.get("content-security-policy"),
    );
    expect(csp.get("img-src")).toEqual(["'self'", "blob:", "data:", "https://cdn.example"]);
    expect(csp.get("frame-ancestors")).toEqual(["https://partner.example"]);
    expect(csp.get("worker-src")).toEqual(["'self'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("script-src")).toContain("'strict-dynamic'");
  });

  it("turn off with security: false (an app with its own CSP)", async () => {
    const middleware = sessionMiddlewareWith(
      { protectedPages: ["/account"], security: false },
      { gate: anonymous, environment: https },
    );
    const response = await middleware(new NextRequest("http://localhost:3000/"));
    for (const name of [
      "content-security-policy",
      "x-content-type-options",
      "referrer-policy",
      "strict-transport-security",
    ])
      expect(response.headers.get(name), name).toBeNull();
  });

  it("refuses additions that are not CSP when the middleware is created", () => {
    const build = (contentSecurityPolicy: Record<string, string[]>) => () =>
      sessionMiddlewareWith({ protectedPages: ["/a"], security: { contentSecurityPolicy } }, { gate: anonymous });
    expect(build({ "img-src": ["https://cdn.example; script-src *"] })).toThrow(/img-src/);
    expect(build({ "img-src": ["a b"] })).toThrow(/img-src/);
    expect(build({ "Img Src": ["https://cdn.example"] })).toThrow(/not a CSP directive/);
    expect(build({ "img-src": [] })).toThrow(/non-empty/);
  });
});
