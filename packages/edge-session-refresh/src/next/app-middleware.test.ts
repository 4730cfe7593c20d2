import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server.js";
import { createMemoryLockStore, createSessionCodec, createSessionGate, sessionCookieName } from "../core";
import { testCoordinator } from "../../../../test-support/coordinator";
import { sessionRoutes } from "./app-middleware";
import { createSessionMiddleware } from "./session-middleware";

describe("an app's own protected paths and login page", () => {
  const routes = sessionRoutes({ protectedPages: ["/account", "/orders"], protectedApis: ["/api/account"], loginPath: "/signin" });

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
    const coordinator = testCoordinator({ store: createMemoryLockStore(), backend: { refresh: async () => ({ kind: "rejected", status: 401 }) } });
    const gate = createSessionGate({ codec, coordinator, secureCookies: false, refreshSkewMs: 0, sessionMaxAgeSeconds: 3600 });
    const middleware = createSessionMiddleware({ gate: () => gate, routes });
    const page = await middleware(new NextRequest("http://localhost:3000/account?tab=1"));
    expect(page.status).toBe(307);
    const location = new URL(page.headers.get("location")!);
    expect(`${location.pathname}?${location.searchParams}`).toBe("/signin?callbackUrl=%2Faccount%3Ftab%3D1");
    expect((await middleware(new NextRequest("http://localhost:3000/api/account"))).status).toBe(401);
    expect((await middleware(new NextRequest("http://localhost:3000/dashboard"))).headers.get("x-middleware-next")).toBe("1");
    // A refused refresh lands on the app's login page too.
    const expired = await codec.encode({ sub: "u", accessToken: "a", refreshToken: "r", accessTokenExpires: Date.now() - 1000 });
    const refused = await middleware(new NextRequest("http://localhost:3000/orders", { headers: { cookie: `${sessionCookieName(false)}=${expired}` } }));
    expect(new URL(refused.headers.get("location")!).pathname + new URL(refused.headers.get("location")!).search).toBe("/signin?error=SessionExpired");
  });
});
