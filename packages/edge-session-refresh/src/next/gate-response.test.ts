import { describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server.js";
import { decode as nextAuthDecode } from "next-auth/jwt";
import { createSessionCodec } from "../core/session/codec";
import { createSessionGate } from "../core/gate/session-gate";
import { sessionCookieName } from "../core/session/chunks";
import type { BackendResult } from "../core/backend/result";
import type { BackendTokens } from "../core/backend/tokens";
import { createMemoryLockStore } from "../stores/memory";
import { testCoordinator } from "../core/refresh/test-support/coordinator";
import { sessionRoutes } from "./create-session-middleware";
import { createGatedMiddleware } from "./gate-response";
import { resetConfigurationErrorLog } from "./configuration-error";
import { parseSettings } from "../core/settings";

const SECRET = "middleware-test-secret-0123456789";
const NAME = sessionCookieName(false);
const codec = createSessionCodec({ secrets: [SECRET], maxAgeSeconds: 3600 });
/** The demo app's routes (src/app-config.ts): the paths these cases use. */
const routes = sessionRoutes({
  protectedPages: ["/dashboard", "/session"],
  protectedApis: ["/api/profile", "/api/backend"],
});
const fresh: BackendTokens = {
  accessToken: "access-2",
  refreshToken: "refresh-2",
  accessTokenExpires: Date.now() + 600_000,
};

/** The adapter's tests are about translation; the refresh itself runs against real backends elsewhere. */
function middlewareAnswering(answer: () => BackendResult<BackendTokens>) {
  const coordinator = testCoordinator({
    store: createMemoryLockStore(),
    backend: { refresh: async () => answer() },
    settings: { backendTimeoutMs: 1000, refreshSkewMs: 30_000 },
  });
  const gate = createSessionGate({
    codec,
    coordinator,
    secureCookies: false,
    refreshSkewMs: 30_000,
    sessionMaxAgeSeconds: 3600,
  });
  return createGatedMiddleware({ gate: () => gate, routes });
}

async function request(
  path: string,
  claims?: Record<string, unknown>,
  extraCookie = "theme=dark",
): Promise<NextRequest> {
  const cookie = claims ? `${extraCookie}; ${NAME}=${await codec.encode(claims)}` : extraCookie;
  return new NextRequest(`http://localhost:3000${path}`, { headers: { cookie } });
}

const expired = {
  sub: "u1",
  email: "u@example.com",
  accessToken: "access-1",
  refreshToken: "refresh-1",
  accessTokenExpires: Date.now() - 1000,
};
const serverTiming = (response: Response) =>
  /session;desc="(\w+)";dur=[\d.]+/.exec(response.headers.get("server-timing") ?? "")?.[1];

describe("session middleware adapter", () => {
  it("a refreshed session goes on the response AND on the request the page sees", async () => {
    const response = await middlewareAnswering(() => ({ kind: "ok", value: fresh }))(
      await request("/dashboard", expired),
    );
    expect(serverTiming(response)).toBe("refreshed");
    const written = response.cookies.get(NAME)?.value;
    expect(written).toBeTruthy();
    expect(await nextAuthDecode({ token: written!, secret: SECRET })).toMatchObject({
      sub: "u1",
      refreshToken: "refresh-2",
    });
    // Next forwards a rewritten request header through x-middleware-override-headers / x-middleware-request-*.
    expect(response.headers.get("x-middleware-override-headers")).toContain("cookie");
    const forwarded = response.headers.get("x-middleware-request-cookie") ?? "";
    expect(forwarded).toContain(`${NAME}=${written}`);
    expect(forwarded).toContain("theme=dark");
    expect(forwarded.match(/next-auth\.session-token=/g)).toHaveLength(1);
  });

  it("a valid session passes untouched: no cookie, the request's cookies as they were", async () => {
    const incoming = await request("/api/profile", { ...expired, accessTokenExpires: Date.now() + 600_000 });
    const response = await middlewareAnswering(() => ({ kind: "ok", value: fresh }))(incoming);
    expect(serverTiming(response)).toBe("valid");
    expect(response.headers.getSetCookie()).toEqual([]);
    // Only the outcome header is added to the forwarded request; the cookie header is the browser's own.
    expect(response.headers.get("x-middleware-request-cookie")).toBe(incoming.headers.get("cookie"));
  });

  it("tells the page this request's outcome in x-session-outcome, replacing any client-sent copy", async () => {
    const middleware = middlewareAnswering(() => ({ kind: "ok", value: fresh }));
    const forged = { "x-session-outcome": "refreshed;forged=1" };
    const outcomeOf = (response: Response) => response.headers.get("x-middleware-request-x-session-outcome");
    const withForgery = async (path: string, claims?: Record<string, unknown>) => {
      const base = await request(path, claims);
      return new NextRequest(base.url, { headers: { cookie: base.headers.get("cookie")!, ...forged } });
    };

    const valid = await middleware(
      await withForgery("/dashboard", { ...expired, accessTokenExpires: Date.now() + 600_000 }),
    );
    expect(outcomeOf(valid)).toMatch(/^valid;dur=\d+(\.\d)?$/);
    const refreshed = await middleware(await withForgery("/session", expired));
    expect(outcomeOf(refreshed)).toMatch(/^refreshed;dur=/);
    const anonymousHome = await middleware(await withForgery("/"));
    expect(outcomeOf(anonymousHome)).toMatch(/^anonymous;dur=/);
    // Nothing of the forged value survives on any of them.
    for (const response of [valid, refreshed, anonymousHome]) expect(outcomeOf(response)).not.toContain("forged");
  });

  it("signed out: pages redirect with a callbackUrl, APIs answer 401 JSON, optional paths pass", async () => {
    const middleware = middlewareAnswering(() => ({ kind: "ok", value: fresh }));
    const page = await middleware(await request("/dashboard/settings?tab=1"));
    expect(page.status).toBe(307);
    // Absolute: Next's middleware adapter parses Location with new URL(), and a relative one becomes a 500.
    expect(URL.canParse(page.headers.get("location") ?? "")).toBe(true);
    expect(new URL(page.headers.get("location")!).pathname).toBe("/login");
    expect(new URL(page.headers.get("location")!).searchParams.get("callbackUrl")).toBe("/dashboard/settings?tab=1");
    const api = await middleware(await request("/api/profile"));
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ error: "signed_out" });
    const session = await middleware(await request("/api/auth/session"));
    expect(session.headers.get("x-middleware-next")).toBe("1");
    expect(serverTiming(session)).toBe("anonymous");
    expect(session.headers.get("x-middleware-request-x-session-refresh-unavailable")).toBeNull();
  });

  it("the callbackUrl it puts on /login is sanitised: encoded slashes or control characters fall back to /dashboard", async () => {
    const middleware = middlewareAnswering(() => ({ kind: "ok", value: fresh }));
    for (const path of ["/dashboard/%5c%5cevil.example", "/dashboard/x?next=%2f%2fevil.example", "/dashboard/%0a"]) {
      const page = await middleware(await request(path));
      expect(page.status).toBe(307);
      expect(new URL(page.headers.get("location")!).searchParams.get("callbackUrl"), path).toBe("/dashboard");
    }
  });

  it("a refused refresh clears the cookie: pages go to SessionExpired, APIs get 401", async () => {
    const page = await middlewareAnswering(() => ({ kind: "rejected", status: 401 }))(
      await request("/dashboard", expired),
    );
    expect(new URL(page.headers.get("location")!).search).toBe("?error=SessionExpired");
    expect(page.cookies.get(NAME)?.value).toBe("");
    expect(serverTiming(page)).toBe("rejected");
    const api = await middlewareAnswering(() => ({ kind: "rejected", status: 401 }))(
      await request("/api/profile", expired),
    );
    expect(api.status).toBe(401);
    expect(api.headers.getSetCookie().join()).toMatch(
      new RegExp(`${NAME.replace(/\./g, "\\.")}=;.*Expires=Thu, 01 Jan 1970`),
    );
  });

  it("every response that sets or clears the session cookie is private, no-store; one that does not is left alone", async () => {
    const refreshed = await middlewareAnswering(() => ({ kind: "ok", value: fresh }))(
      await request("/dashboard", expired),
    );
    expect(refreshed.headers.getSetCookie().length).toBeGreaterThan(0);
    expect(refreshed.headers.get("cache-control")).toBe("private, no-store");
    const cleared = await middlewareAnswering(() => ({ kind: "rejected", status: 401 }))(
      await request("/api/profile", expired),
    );
    expect(cleared.headers.getSetCookie().length).toBeGreaterThan(0);
    expect(cleared.headers.get("cache-control")).toBe("private, no-store");
    const valid = await middlewareAnswering(() => ({ kind: "ok", value: fresh }))(
      await request("/dashboard", { ...expired, accessTokenExpires: Date.now() + 600_000 }),
    );
    expect(valid.headers.get("cache-control")).toBeNull();
  });

  it("/login is never redirected, signed out or with a dead session", async () => {
    for (const answer of [
      () => ({ kind: "ok", value: fresh }) as const,
      () => ({ kind: "rejected", status: 401 }) as const,
    ]) {
      const middleware = middlewareAnswering(answer);
      for (const req of [await request("/login?callbackUrl=%2Fdashboard"), await request("/login", expired)]) {
        const response = await middleware(req);
        expect(response.headers.get("location")).toBeNull();
        expect(response.headers.get("x-middleware-next")).toBe("1");
      }
    }
  });

  it("with security options every answer carries the CSP, and a forwarded page request carries its nonce", async () => {
    const gate = () => ({ check: async () => ({ outcome: "anonymous", writes: [], jar: new Map() }) }) as never;
    const middleware = createGatedMiddleware({
      gate,
      routes,
      security: () => ({ dev: false, https: true, policy: "nonce" }),
    });
    const login = await middleware(await request("/login"));
    const policy = login.headers.get("content-security-policy")!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy).toContain(`'nonce-${login.headers.get("x-middleware-request-x-nonce")}'`);
    expect(login.headers.get("strict-transport-security")).toMatch(/^max-age=\d+/);
    const redirect = await middleware(await request("/dashboard"));
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(redirect.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("an outage keeps the session: 503 with Retry-After, no cookie touched", async () => {
    const down = () => ({ kind: "unavailable", reason: "status", status: 503, detail: "down" }) as const;
    const page = await middlewareAnswering(down)(await request("/dashboard", expired));
    expect(page.status).toBe(503);
    expect(page.headers.get("retry-after")).toBe("2");
    expect(page.headers.getSetCookie()).toEqual([]);
    expect(await page.text()).toContain("still signed in");
    const api = await middlewareAnswering(down)(await request("/api/profile", expired));
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ error: "session_refresh_unavailable", retryAfterSeconds: 2 });
    // In front of next-auth's session route the request goes on, marked so the jwt callback does not retry.
    const sessionRoute = await middlewareAnswering(down)(await request("/api/auth/session", expired));
    expect(sessionRoute.headers.get("x-middleware-request-x-session-refresh-unavailable")).toBe("1");
    // With the old access token still good, the request simply goes on with it.
    const soon = await middlewareAnswering(down)(
      await request("/api/profile", { ...expired, accessTokenExpires: Date.now() + 5_000 }),
    );
    expect(soon.headers.get("x-middleware-next")).toBe("1");
    expect(serverTiming(soon)).toBe("unavailable");
  });

  it("an unexpected failure is a 503 that keeps the cookies, never a 500", async () => {
    const broken = createGatedMiddleware({
      routes,
      gate: () => {
        throw new Error("misconfigured");
      },
    });
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const response = await broken(await request("/dashboard", expired));
      expect(response.status).toBe(503);
      expect(response.headers.getSetCookie()).toEqual([]);
      // One structured line that says what failed, and no cookie material.
      expect(logged).toHaveBeenCalledTimes(1);
      const line = JSON.parse(String(logged.mock.calls[0]![0])) as Record<string, unknown>;
      expect(line).toMatchObject({
        level: "error",
        event: "middleware-failed",
        detail: expect.stringContaining("misconfigured"),
      });
      expect(String(logged.mock.calls[0]![0])).not.toContain("access-1");
    } finally {
      logged.mockRestore();
    }
  });
});

describe("session middleware: a configuration error is answered as one", () => {
  const strong = "s".repeat(32);
  /** A real CONFIG_INVALID, from the real parser: production without BACKEND_URL, and a bad timeout. */
  const misconfigured = () =>
    createGatedMiddleware({
      routes,
      gate: () =>
        parseSettings(
          { NEXTAUTH_SECRET: strong, BACKEND_TIMEOUT_MS: "https://secret-value.example" },
          { nodeEnv: "production" },
        ) as never,
    });

  it("500 with the settings to fix, for APIs and pages, never the outage's 503; values never shown; logged once per isolate", async () => {
    resetConfigurationErrorLog();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const middleware = misconfigured();
      const api = await middleware(await request("/api/profile", expired));
      expect(api.status).toBe(500);
      expect(api.headers.get("retry-after")).toBeNull();
      expect(api.headers.get("cache-control")).toBe("private, no-store");
      const body = (await api.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ error: "configuration_error", settings: ["BACKEND_URL", "BACKEND_TIMEOUT_MS"] });
      expect(JSON.stringify(body)).not.toContain("secret-value");
      expect(api.headers.getSetCookie()).toEqual([]);

      for (const path of ["/dashboard", "/login", "/"]) {
        const incoming = await request(path, expired);
        if (path !== "/dashboard") incoming.headers.set("accept", "text/html,application/xhtml+xml");
        const page = await middleware(incoming);
        expect(page.status).toBe(500);
        expect(page.headers.get("content-type")).toContain("text/html");
        const html = await page.text();
        for (const name of ["BACKEND_URL", "BACKEND_TIMEOUT_MS"]) expect(html).toContain(name);
        expect(html).not.toContain("secret-value");
      }

      // An optional path asked for JSON gets JSON.
      expect((await middleware(await request("/api/auth/session", expired))).headers.get("content-type")).toContain(
        "application/json",
      );

      // Five requests, one log line naming every problem's setting.
      expect(logged).toHaveBeenCalledTimes(1);
      const line = JSON.parse(String(logged.mock.calls[0]![0])) as Record<string, unknown>;
      expect(line).toMatchObject({
        level: "error",
        event: "configuration-error",
        settings: ["BACKEND_URL", "BACKEND_TIMEOUT_MS"],
      });
    } finally {
      logged.mockRestore();
      resetConfigurationErrorLog();
    }
  });
});

describe("session middleware: the browser's background refresh (x-session-refresh-ahead)", () => {
  // Skew 30 s, default ahead window 30 s: 40 s left is ahead of an ordinary refresh, inside the ahead window.
  const early = { ...expired, accessTokenExpires: Date.now() + 40_000 };
  const marked = async (claims: Record<string, unknown>, value = "1") => {
    const incoming = await request("/api/auth/session", claims);
    incoming.headers.set("x-session-refresh-ahead", value);
    return incoming;
  };

  it("a marked session fetch inside the ahead window refreshes and sets the cookie; unmarked (or marked otherwise) it stays valid", async () => {
    const answer = () => ({ kind: "ok", value: fresh }) as const;
    expect(serverTiming(await middlewareAnswering(answer)(await request("/api/auth/session", early)))).toBe("valid");
    expect(serverTiming(await middlewareAnswering(answer)(await marked(early, "yes")))).toBe("valid");
    const response = await middlewareAnswering(answer)(await marked(early));
    expect(serverTiming(response)).toBe("refreshed");
    expect(await nextAuthDecode({ token: response.cookies.get(NAME)!.value, secret: SECRET })).toMatchObject({
      refreshToken: "refresh-2",
    });
    expect(response.headers.get("x-middleware-request-cookie")).toContain(response.cookies.get(NAME)!.value);
  });

  it("an outage during a marked fetch keeps the session and says when to try again", async () => {
    const down = () => ({ kind: "unavailable", reason: "status", status: 503, detail: "down" }) as const;
    const response = await middlewareAnswering(down)(await marked(early));
    expect(serverTiming(response)).toBe("unavailable");
    expect(response.headers.get("retry-after")).toBe("2");
    expect(response.headers.getSetCookie()).toEqual([]);
  });
});
