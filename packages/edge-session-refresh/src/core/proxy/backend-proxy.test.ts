/**
 * The backend proxy with real Request objects against real servers: the reference backend (real tokens,
 * real 401s and 404s) and small HTTP servers that record what they received.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReferenceBackend, type ReferenceBackend } from "../../../../../dev/backend/server";
import { startTestServer, sendJson, type TestServer } from "../../../../../test-support/http-server";
import { freePort } from "../../../../../test-support/ports";
import { backendLogin } from "../../../../../test-support/services";
import { parseSettings } from "../settings";
import { backendPath, relativeLocation } from "./backend-path";
import { backendProxyConfig, proxyToBackend, type BackendProxyConfig } from "./backend-proxy";

const APP = "http://localhost:3000";
const SAME_ORIGIN = { origin: APP, "sec-fetch-site": "same-origin" };

function configFor(
  backendUrl: string,
  env: Record<string, string> = {},
  overrides: Partial<BackendProxyConfig> = {},
): BackendProxyConfig {
  const all = { NEXTAUTH_URL: APP, BACKEND_URL: backendUrl, ...env };
  return { ...backendProxyConfig(parseSettings(all)), ...overrides };
}

function proxied(path: string, init: RequestInit & { duplex?: "half" } = {}): Request {
  return new Request(`${APP}/api/backend${path}`, init);
}

let backend: ReferenceBackend;
let accessToken: string;
let recorder: TestServer;

beforeAll(async () => {
  backend = await startReferenceBackend({ port: 0 });
  accessToken = (await backendLogin(backend.url)).accessToken;
  recorder = await startTestServer((request, response) => {
    const path = request.url ?? "/";
    if (path.startsWith("/api/created")) {
      response.writeHead(201, {
        "content-type": "application/json",
        location: "/api/items/7",
        "set-cookie": "backend_session=leak; Path=/",
        etag: '"v1"',
        "x-internal-debug": "secret",
      });
      return response.end(JSON.stringify({ id: 7 }));
    }
    if (path.startsWith("/api/elsewhere")) {
      response.writeHead(302, { location: "https://evil.example/phish" });
      return response.end();
    }
    if (path.startsWith("/api/big")) {
      response.writeHead(200, { "content-type": "application/octet-stream" });
      // Two chunks of 600 KiB without a Content-Length: only the streaming bound can catch it.
      response.write(Buffer.alloc(600 * 1024, 1));
      return response.end(Buffer.alloc(600 * 1024, 2));
    }
    if (path.startsWith("/api/hang")) return new Promise(() => {});
    sendJson(response, 200, { ok: true, path, method: request.method, body: request.body });
  });
});

afterAll(async () => {
  await backend?.close();
  await recorder?.close();
});

describe("backend proxy against the reference backend", () => {
  it("adds the session's access token and passes the backend's answer on", async () => {
    backend.resetStats();
    const response = await proxyToBackend(proxied("/api/me", { headers: { accept: "application/json" } }), {
      config: configFor(backend.url),
      accessToken: async () => accessToken,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    // The backend's own Cache-Control is passed on.
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({ email: "demo@example.com" });
    expect(backend.stats().profileRequests).toBe(1);
  });

  it("answers the backend's 401 as 401 JSON", async () => {
    const response = await proxyToBackend(proxied("/api/me"), {
      config: configFor(backend.url),
      accessToken: async () => "not-a-token",
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "backend_unauthorized" });
  });

  it("passes other statuses and bodies through (a 404 from the backend)", async () => {
    const response = await proxyToBackend(proxied("/api/nothing-here"), {
      config: configFor(backend.url),
      accessToken: async () => accessToken,
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "not_found", path: "/api/nothing-here" });
  });

  it("refuses 401 without a session, before calling the backend", async () => {
    backend.resetStats();
    const response = await proxyToBackend(proxied("/api/me"), {
      config: configFor(backend.url),
      accessToken: async () => null,
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: "signed_out" });
    expect(backend.stats().profileRequests).toBe(0);
  });

  it.each([
    "/api/auth",
    "/api/auth/",
    "/api/auth/refresh-token",
    "/API/Auth/Refresh-Token",
    "/api/auth/refresh-token/",
    "/api/%61uth/refresh-token",
  ])("never proxies the auth path %s, even when the allow-list covers everything", async (path) => {
    backend.resetStats();
    for (const allow of [undefined, "/"]) {
      const response = await proxyToBackend(
        proxied(path, {
          method: "POST",
          headers: { ...SAME_ORIGIN, "content-type": "application/json" },
          body: JSON.stringify({ email: "demo@example.com", password: "demo-password", refreshToken: "x" }),
        }),
        {
          config: configFor(backend.url, allow ? { BACKEND_PROXY_ALLOW: allow } : {}),
          accessToken: async () => accessToken,
        },
      );
      expect(response.status, `${path} with allow ${allow}`).toBe(403);
      expect(await response.json()).toMatchObject({ error: "path_not_allowed" });
    }
    expect(backend.stats()).toMatchObject({ logins: 0, loginFailures: 0, refreshAttempts: 0 });
  });

  it("excludes a logout or token path named in BACKEND_*_PATH, and the configured login/refresh paths", async () => {
    const config = configFor(backend.url, {
      BACKEND_PROXY_ALLOW: "/",
      BACKEND_LOGOUT_PATH: "/api/logout",
      BACKEND_LOGIN_PATH: "/api/token/",
      BACKEND_REFRESH_PATH: "/api/token/refresh/",
    });
    for (const path of ["/api/logout", "/api/logout/all", "/api/token", "/api/token/refresh/"]) {
      const response = await proxyToBackend(proxied(path), { config, accessToken: async () => accessToken });
      expect(response.status, path).toBe(403);
    }
    // The profile path stays reachable.
    const profile = await proxyToBackend(proxied("/api/me"), { config, accessToken: async () => accessToken });
    expect(profile.status).toBe(200);
  });

  it("only proxies the allow-listed prefixes (default /api/)", async () => {
    const stats = await proxyToBackend(proxied("/__stats"), {
      config: configFor(backend.url),
      accessToken: async () => accessToken,
    });
    expect(stats.status).toBe(403);
    const narrowed = configFor(backend.url, { BACKEND_PROXY_ALLOW: "/api/orders, /api/items/" });
    expect(
      (await proxyToBackend(proxied("/api/me"), { config: narrowed, accessToken: async () => accessToken })).status,
    ).toBe(403);
    expect(
      (await proxyToBackend(proxied("/api/ordersX"), { config: narrowed, accessToken: async () => accessToken }))
        .status,
    ).toBe(403);
    // Allowed paths reach the backend (which answers 404 for them).
    expect(
      (await proxyToBackend(proxied("/api/orders/1"), { config: narrowed, accessToken: async () => accessToken }))
        .status,
    ).toBe(404);
    expect(
      (await proxyToBackend(proxied("/api/items/"), { config: narrowed, accessToken: async () => accessToken })).status,
    ).toBe(404);
  });

  it("refuses a bad allow-list entry at configuration time", () => {
    expect(() => configFor(backend.url, { BACKEND_PROXY_ALLOW: "api/, /ok/" })).toThrow(/BACKEND_PROXY_ALLOW/);
  });
});

describe("what reaches the backend", () => {
  it("no cookie, no client Authorization, no hop-by-hop or internal headers; the Bearer token and plain headers do", async () => {
    recorder.requests.length = 0;
    const response = await proxyToBackend(
      proxied("/api/echo?x=1&y=2", {
        method: "POST",
        headers: {
          ...SAME_ORIGIN,
          cookie: "next-auth.session-token=SECRET-SESSION; next-auth.csrf-token=abc; theme=dark",
          authorization: "Bearer client-supplied",
          "proxy-authorization": "Basic eA==",
          "x-forwarded-for": "1.2.3.4",
          "x-middleware-subrequest": "middleware",
          "x-session-outcome": "refreshed",
          "keep-alive": "timeout=5",
          te: "trailers",
          "content-type": "application/json",
          accept: "application/json",
          "if-none-match": '"abc"',
          "x-request-id": "req-1",
        },
        body: JSON.stringify({ hello: "world" }),
      }),
      { config: configFor(recorder.url), accessToken: async () => accessToken },
    );
    expect(response.status).toBe(200);
    // No Cache-Control from the backend: the per-user answer is marked private.
    expect(response.headers.get("cache-control")).toBe("private, no-store");
    expect(await response.json()).toMatchObject({
      path: "/api/echo?x=1&y=2",
      method: "POST",
      body: '{"hello":"world"}',
    });
    expect(recorder.requests).toHaveLength(1);
    const { headers } = recorder.requests[0]!;
    expect(headers.cookie).toBeUndefined();
    expect(JSON.stringify(headers)).not.toContain("SECRET-SESSION");
    expect(headers.authorization).toBe(`Bearer ${accessToken}`);
    for (const name of [
      "proxy-authorization",
      "x-forwarded-for",
      "x-middleware-subrequest",
      "x-session-outcome",
      "keep-alive",
      "te",
      "origin",
      "sec-fetch-site",
    ]) {
      expect(headers[name], name).toBeUndefined();
    }
    expect(headers).toMatchObject({
      "content-type": "application/json",
      accept: "application/json",
      "if-none-match": '"abc"',
      "x-request-id": "req-1",
    });
  });

  it("passes status and safe headers, never Set-Cookie; a relative Location is mapped under the proxy", async () => {
    const response = await proxyToBackend(
      proxied("/api/created", { method: "PUT", headers: SAME_ORIGIN, body: "{}" }),
      {
        config: configFor(recorder.url),
        accessToken: async () => accessToken,
      },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("x-internal-debug")).toBeNull();
    expect(response.headers.get("etag")).toBe('"v1"');
    expect(response.headers.get("location")).toBe("/api/backend/api/items/7");
    expect(await response.json()).toEqual({ id: 7 });
  });

  it("drops an absolute Location and does not follow the redirect", async () => {
    recorder.requests.length = 0;
    const response = await proxyToBackend(proxied("/api/elsewhere"), {
      config: configFor(recorder.url),
      accessToken: async () => accessToken,
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBeNull();
    expect(recorder.requests).toHaveLength(1);
  });
});

describe("same-origin only", () => {
  const call = (method: string, headers: Record<string, string>) =>
    proxyToBackend(proxied("/api/echo", { method, headers, body: method === "GET" ? undefined : "{}" }), {
      config: configFor(recorder.url),
      accessToken: async () => accessToken,
    });

  it.each([
    ["POST", { "sec-fetch-site": "cross-site", origin: "https://evil.example" }],
    ["DELETE", { "sec-fetch-site": "same-site" }],
    ["PATCH", { origin: "https://evil.example" }],
    ["PUT", { origin: "null" }],
    ["POST", {}],
    ["POST", { "sec-fetch-site": "same-origin", origin: "https://evil.example" }],
    ["POST", { origin: "https://evil.example", host: "localhost:3000" }],
    ["POST", { origin: "https://localhost:3000", host: "localhost:3000" }],
    ["GET", { "sec-fetch-site": "cross-site" }],
  ])("%s with %j → 403, backend not called", async (method, headers) => {
    recorder.requests.length = 0;
    const response = await call(method, headers);
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: "cross_site_refused" });
    expect(recorder.requests).toHaveLength(0);
  });

  it.each([
    ["POST", { "sec-fetch-site": "same-origin", origin: APP }],
    ["POST", { origin: APP }],
    ["DELETE", { "sec-fetch-site": "same-origin" }],
    // The app reached under another name than NEXTAUTH_URL: the Origin matches the Host the browser sent.
    ["POST", { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000", "sec-fetch-site": "same-origin" }],
    ["GET", {}],
  ])("%s with %j is proxied", async (method, headers) => {
    recorder.requests.length = 0;
    expect((await call(method, headers)).status).toBe(200);
    expect(recorder.requests).toHaveLength(1);
  });
});

describe("paths", () => {
  it.each([
    "/api/../api/auth",
    "/api/%2e%2e/auth",
    "/api/%2E%2E/auth/refresh-token",
    "/api%2fauth",
    "/api%5Cauth",
    "/api/./me",
    "//evil.example/api/me",
    "/http:/evil.example/api/me",
    "/api/me;/../auth",
    "/api/me%00",
    "/api/%E0%A4%A",
  ])("%s → 400", async (path) => {
    recorder.requests.length = 0;
    // Built by hand: `new Request` would resolve dot segments itself, a server receiving them raw does not.
    const request = proxied("/placeholder");
    const raw = new Proxy(request, {
      get: (target, key) => (key === "url" ? `${APP}/api/backend${path}` : Reflect.get(target, key, target)),
    });
    const response = await proxyToBackend(raw as Request, {
      config: configFor(recorder.url, { BACKEND_PROXY_ALLOW: "/" }),
      accessToken: async () => accessToken,
    });
    expect(response.status).toBe(400);
    expect(recorder.requests).toHaveLength(0);
  });

  it("accepts plain paths and keeps percent-encoded characters as they are", () => {
    expect(backendPath("/api/backend/api/items/a%20b")).toBe("/api/items/a%20b");
    expect(backendPath("/api/backend")).toBeNull();
    expect(backendPath("/api/backend/")).toBeNull();
  });

  it("maps only relative redirects", () => {
    expect(relativeLocation("/api/x", "")).toBe("/api/backend/api/x");
    expect(relativeLocation("/v1/x", "/v1")).toBe("/api/backend/x");
    expect(relativeLocation("/other/x", "/v1")).toBeNull();
    expect(relativeLocation("items/2", "")).toBe("items/2");
    expect(relativeLocation("//evil.example/x", "")).toBeNull();
    expect(relativeLocation("https://evil.example/x", "")).toBeNull();
    expect(relativeLocation("/\\evil.example", "")).toBeNull();
  });
});

describe("bounds and failures", () => {
  it("a body over the limit is 413, declared or streamed, and never reaches the backend", async () => {
    recorder.requests.length = 0;
    const config = configFor(recorder.url);
    const big = new Uint8Array(config.maxRequestBytes + 1);
    const declared = await proxyToBackend(proxied("/api/echo", { method: "POST", headers: SAME_ORIGIN, body: big }), {
      config,
      accessToken: async () => accessToken,
    });
    expect(declared.status).toBe(413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i += 1) controller.enqueue(new Uint8Array(config.maxRequestBytes / 4));
        controller.close();
      },
    });
    const streamed = await proxyToBackend(
      proxied("/api/echo", { method: "POST", headers: SAME_ORIGIN, body: stream, duplex: "half" }),
      {
        config,
        accessToken: async () => accessToken,
      },
    );
    expect(streamed.status).toBe(413);
    expect(recorder.requests).toHaveLength(0);
    // Exactly at the limit is fine.
    const exact = await proxyToBackend(
      proxied("/api/echo", { method: "POST", headers: SAME_ORIGIN, body: new Uint8Array(config.maxRequestBytes) }),
      {
        config,
        accessToken: async () => accessToken,
      },
    );
    expect(exact.status).toBe(200);
  });

  it("a backend answer over the limit is cut off while streaming", async () => {
    const config = configFor(recorder.url, { BACKEND_PROXY_MAX_RESPONSE_BYTES: String(1024 * 1024) });
    const response = await proxyToBackend(proxied("/api/big"), { config, accessToken: async () => accessToken });
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();
    const roomy = await proxyToBackend(proxied("/api/big"), {
      config: configFor(recorder.url),
      accessToken: async () => accessToken,
    });
    expect((await roomy.arrayBuffer()).byteLength).toBe(1200 * 1024);
  });

  it("a backend slower than BACKEND_TIMEOUT_MS is 504 JSON", async () => {
    const response = await proxyToBackend(proxied("/api/hang"), {
      config: configFor(recorder.url, { BACKEND_TIMEOUT_MS: "200" }),
      accessToken: async () => accessToken,
    });
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: "backend_timeout" });
  });

  it("an unreachable backend is 503 JSON with Retry-After", async () => {
    const port = await freePort();
    const response = await proxyToBackend(proxied("/api/me"), {
      config: configFor(`http://127.0.0.1:${port}`),
      accessToken: async () => accessToken,
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.json()).toMatchObject({ error: "backend_unavailable" });
  });

  it("other methods are 405", async () => {
    const response = await proxyToBackend(proxied("/api/me", { method: "OPTIONS", headers: SAME_ORIGIN }), {
      config: configFor(recorder.url),
      accessToken: async () => accessToken,
    });
    expect(response.status).toBe(405);
  });
});
