/**
 * The reference backend over real HTTP on a free port: the protocol, rotation and reuse detection, the
 * three response shapes, failure modes, stats and the sweeping bound that lets it run for hours.
 */

import { decodeJwt } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { startReferenceBackend, type BackendOptions, type ReferenceBackend } from "./server";
import { fakeClock } from "./test-http";

const DEMO = { email: "demo@example.com", password: "demo-password" };

const running: ReferenceBackend[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((backend) => backend.close()));
});

async function start(options: Partial<BackendOptions> = {}): Promise<ReferenceBackend> {
  const backend = await startReferenceBackend({ port: 0, ...options });
  running.push(backend);
  return backend;
}

interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field below
}

async function post(
  backend: ReferenceBackend,
  path: string,
  body: unknown,
  init: RequestInit = {},
): Promise<JsonResponse> {
  const response = await fetch(backend.url + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function get(backend: ReferenceBackend, path: string, accessToken?: string): Promise<JsonResponse> {
  const response = await fetch(backend.url + path, {
    headers: accessToken ? { authorization: `Bearer ${accessToken}` } : {},
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function login(backend: ReferenceBackend) {
  const response = await post(backend, "/api/auth", DEMO);
  expect(response.status).toBe(200);
  return response.body.data as { accessToken: string; refreshToken: string; accessTokenExpires: number };
}

const refresh = (backend: ReferenceBackend, refreshToken: string) =>
  post(backend, "/api/auth/refresh-token", { refreshToken });

describe("login and profile", () => {
  it("signs the demo user in with a JWT access token and an opaque refresh token", async () => {
    const backend = await start();
    const before = Date.now();
    const response = await post(backend, "/api/auth", DEMO);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const { accessToken, refreshToken, accessTokenExpires } = response.body.data;
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(accessToken);
    expect(claims).toMatchObject({ sub: "user-1", fam: expect.any(String) });
    expect(claims.iat).toBeTypeOf("number");
    expect(accessTokenExpires).toBe(claims.exp! * 1000);
    expect(accessTokenExpires).toBeGreaterThanOrEqual(before + 60_000);
    expect(accessTokenExpires).toBeLessThan(Date.now() + 62_000);

    const profile = await get(backend, "/api/me", accessToken);
    expect(profile).toMatchObject({ status: 200, body: { id: "user-1", email: DEMO.email, name: "Demo User" } });
  });

  it("refuses wrong credentials and unknown users", async () => {
    const backend = await start();
    for (const body of [
      { ...DEMO, password: "nope" },
      { email: "who@example.com", password: DEMO.password },
    ]) {
      const response = await post(backend, "/api/auth", body);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ error: "invalid_credentials", message: "Invalid email or password" });
    }
    expect(backend.stats()).toMatchObject({ logins: 0, loginFailures: 2 });
  });

  it("serves the users it is given", async () => {
    const backend = await start({ users: [{ email: "ada@example.com", password: "engine", name: "Ada" }] });
    expect((await post(backend, "/api/auth", DEMO)).status).toBe(401);
    const response = await post(backend, "/api/auth", { email: "ada@example.com", password: "engine" });
    expect((await get(backend, "/api/me", response.body.data.accessToken)).body).toMatchObject({ name: "Ada" });
  });

  it.each([
    { problem: "malformed JSON", body: "{not json", contentType: "application/json", status: 400 },
    { problem: "an empty body", body: "", contentType: "application/json", status: 400 },
    {
      problem: "a missing password",
      body: JSON.stringify({ email: DEMO.email }),
      contentType: "application/json",
      status: 400,
    },
    { problem: "a non-JSON content type", body: "hello", contentType: "text/plain", status: 415 },
    {
      problem: "a body over 64 KB",
      body: JSON.stringify({ ...DEMO, padding: "x".repeat(70_000) }),
      contentType: "application/json",
      status: 413,
    },
  ])("answers $problem with a $status JSON error", async ({ body, contentType, status }) => {
    const backend = await start();
    const response = await post(backend, "/api/auth", body, { headers: { "content-type": contentType } });
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.body.error).toBeTypeOf("string");
    expect(backend.stats().logins + backend.stats().loginFailures).toBe(0);
  });

  it("accepts a form-urlencoded login, as OAuth clients and `curl -d` send it", async () => {
    const backend = await start();
    const response = await post(backend, "/api/auth", new URLSearchParams(DEMO).toString(), {
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(response.status).toBe(200);
  });

  it("refuses a profile request without, or with a forged, access token", async () => {
    const backend = await start();
    const { accessToken } = await login(backend);
    const [header, payload] = accessToken.split(".");
    const forged = `${header}.${payload}.${"A".repeat(43)}`;

    expect(await get(backend, "/api/me")).toMatchObject({ status: 401, body: { error: "missing_token" } });
    expect(await get(backend, "/api/me", "garbage")).toMatchObject({ status: 401, body: { error: "invalid_token" } });
    expect(await get(backend, "/api/me", forged)).toMatchObject({ status: 401, body: { error: "invalid_token" } });
    expect(backend.stats()).toMatchObject({ profileRequests: 3, profileUnauthorized: 3 });
  });

  it("answers health, unknown paths and wrong methods with JSON", async () => {
    const backend = await start();
    expect(await get(backend, "/healthz")).toMatchObject({ status: 200, body: { ok: true } });
    expect((await get(backend, "/nope")).status).toBe(404);
    const wrongMethod = await get(backend, "/api/auth");
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("POST");
  });
});

describe("refresh-token rotation", () => {
  it("rotates: a new refresh token and a working access token, while the old token is consumed", async () => {
    const backend = await start();
    const first = await login(backend);
    const rotated = await refresh(backend, first.refreshToken);

    expect(rotated.status).toBe(200);
    expect(rotated.body.data.refreshToken).not.toBe(first.refreshToken);
    expect(rotated.body.data.accessToken).not.toBe(first.accessToken);
    expect(decodeJwt(rotated.body.data.accessToken).fam).toBe(decodeJwt(first.accessToken).fam);
    expect((await get(backend, "/api/me", rotated.body.data.accessToken)).status).toBe(200);
    expect((await refresh(backend, rotated.body.data.refreshToken)).status).toBe(200);
    expect(backend.stats()).toMatchObject({ refreshes: 2, refreshAttempts: 2, reuseDetections: 0 });
  });

  it("detects reuse of a consumed token and revokes the whole family, access tokens included", async () => {
    const backend = await start();
    const first = await login(backend);
    const bystander = await login(backend);
    const second = (await refresh(backend, first.refreshToken)).body.data;

    const reuse = await refresh(backend, first.refreshToken);
    expect(reuse.status).toBe(401);
    expect(reuse.body.error).toBe("token_reused");

    expect(await refresh(backend, second.refreshToken)).toMatchObject({
      status: 401,
      body: { error: "token_revoked" },
    });
    for (const accessToken of [first.accessToken, second.accessToken]) {
      expect(await get(backend, "/api/me", accessToken)).toMatchObject({
        status: 401,
        body: { error: "token_revoked" },
      });
    }
    // Another login of the same user is another family and keeps working.
    expect((await get(backend, "/api/me", bystander.accessToken)).status).toBe(200);
    expect((await refresh(backend, bystander.refreshToken)).status).toBe(200);
    expect(backend.stats()).toMatchObject({ reuseDetections: 1, familiesRevoked: 1, refreshes: 2 });
  });

  it("refuses an unknown refresh token and a missing field", async () => {
    const backend = await start();
    expect(await refresh(backend, "not-a-refresh-token")).toMatchObject({
      status: 401,
      body: { error: "invalid_refresh_token" },
    });
    expect((await post(backend, "/api/auth/refresh-token", {})).status).toBe(400);
  });

  it("detects a second use that arrives while the first is still being answered", async () => {
    const backend = await start({ refreshLatencyMs: 300 });
    const { refreshToken } = await login(backend);
    const startedAt = Date.now();
    const [a, b] = await Promise.all([refresh(backend, refreshToken), refresh(backend, refreshToken)]);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body.error).toBe("token_reused");
    // The family was revoked after the winner's rotation was committed: its fresh tokens are dead too.
    expect((await refresh(backend, winner.body.data.refreshToken)).body.error).toBe("token_revoked");
    expect((await get(backend, "/api/me", winner.body.data.accessToken)).status).toBe(401);
    expect(backend.stats()).toMatchObject({ reuseDetections: 1, maxConcurrentRefreshes: 2, inFlightRefreshes: 0 });
  });

  it("consumes the refresh token when the request arrives, not when it is answered", async () => {
    const backend = await start({ refreshLatencyMs: 400 });
    const { refreshToken } = await login(backend);
    const slow = refresh(backend, refreshToken);
    // The slow request has arrived once the backend counts it in flight.
    await expect.poll(() => backend.stats().inFlightRefreshes).toBe(1);
    backend.setOptions({ refreshLatencyMs: 0 });
    // The fast second use is refused before the slow first one has even answered.
    const fast = await refresh(backend, refreshToken);
    expect(fast.body.error).toBe("token_reused");
    expect(backend.stats().inFlightRefreshes).toBe(1);
    expect((await slow).status).toBe(200);
  });

  it("expires access tokens after accessTokenTtlSeconds", async () => {
    const clock = fakeClock();
    const backend = await start({ accessTokenTtlSeconds: 1, clock: clock.now });
    const { accessToken, accessTokenExpires } = await login(backend);
    expect((await get(backend, "/api/me", accessToken)).status).toBe(200);
    clock.advance(accessTokenExpires - clock.now() + 200);
    expect(await get(backend, "/api/me", accessToken)).toMatchObject({ status: 401, body: { error: "token_expired" } });
  });

  it("expires refresh tokens after refreshTokenTtlSeconds", async () => {
    const clock = fakeClock();
    const backend = await start({ refreshTokenTtlSeconds: 0.3, clock: clock.now });
    const { refreshToken } = await login(backend);
    clock.advance(400);
    expect(await refresh(backend, refreshToken)).toMatchObject({
      status: 401,
      body: { error: "refresh_token_expired" },
    });
  });
});

describe("response shapes", () => {
  it("oauth: flat RFC 6749 bodies, refusals as 400 invalid_grant", async () => {
    const backend = await start({ shape: "oauth" });
    const tokens = await post(backend, "/api/auth", { username: DEMO.email, password: DEMO.password });
    expect(tokens.status).toBe(200);
    expect(Object.keys(tokens.body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "token_type"]);
    expect(tokens.body).toMatchObject({ token_type: "Bearer", expires_in: 60 });

    const rotated = await post(backend, "/api/auth/refresh-token", { refresh_token: tokens.body.refresh_token });
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).not.toBe(tokens.body.refresh_token);

    const reuse = await post(backend, "/api/auth/refresh-token", { refresh_token: tokens.body.refresh_token });
    expect(reuse).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const profile = await get(backend, "/api/me", rotated.body.access_token);
    expect(profile).toMatchObject({ status: 401, body: { error: "invalid_token" } });
    expect(profile.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  });

  it("drf: { access, refresh } with the expiry only in the JWT, SimpleJWT's blacklist body on reuse", async () => {
    const backend = await start({ shape: "drf" });
    const tokens = await post(backend, "/api/auth", DEMO);
    expect(tokens.status).toBe(200);
    expect(Object.keys(tokens.body).sort()).toEqual(["access", "refresh"]);
    expect(decodeJwt(tokens.body.access).exp).toBeGreaterThan(Date.now() / 1000 + 59);

    // Trailing slashes, as Django URLs have them, reach the same endpoint.
    const rotated = await post(backend, "/api/auth/refresh-token/", { refresh: tokens.body.refresh });
    expect(Object.keys(rotated.body).sort()).toEqual(["access", "refresh"]);

    const reuse = await post(backend, "/api/auth/refresh-token", { refresh: tokens.body.refresh });
    expect(reuse).toEqual({
      status: 401,
      headers: expect.any(Headers),
      body: { detail: "Token is blacklisted", code: "token_not_valid" },
    });
    expect((await post(backend, "/api/auth", { ...DEMO, password: "x" })).body).toEqual({
      detail: "No active account found with the given credentials",
    });
  });

  it("can switch shape at runtime", async () => {
    const backend = await start();
    backend.setOptions({ shape: "drf" });
    expect(Object.keys((await post(backend, "/api/auth", DEMO)).body).sort()).toEqual(["access", "refresh"]);
  });
});

describe("failure modes", () => {
  it("down: answers 503 without consuming the token, and recovers via POST /__control", async () => {
    const backend = await start();
    const { refreshToken } = await login(backend);
    expect((await post(backend, "/__control", { failMode: "down" })).body.failMode).toBe("down");

    const outage = await refresh(backend, refreshToken);
    expect(outage.status).toBe(503);
    expect(outage.headers.get("retry-after")).toBe("1");

    await post(backend, "/__control", { failMode: "none" });
    expect((await refresh(backend, refreshToken)).status).toBe(200);
    expect(backend.stats()).toMatchObject({ refreshAttempts: 2, refreshes: 1, reuseDetections: 0 });
  });

  it("hang: never answers; the client's abort ends the request and close() does not wait for it", async () => {
    const backend = await start({ failMode: "hang" });
    const { refreshToken } = await login(backend);
    const abandoned = fetch(`${backend.url}/api/auth/refresh-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken }),
      signal: AbortSignal.timeout(300),
    });
    await expect(abandoned).rejects.toMatchObject({ name: "TimeoutError" });
    // The backend notices the abort when the socket closes: an event of its own, after the client's.
    await expect.poll(() => backend.stats().inFlightRefreshes).toBe(0);
    expect(backend.stats()).toMatchObject({ refreshAttempts: 1, inFlightRefreshes: 0, maxConcurrentRefreshes: 1 });

    const pending = fetch(`${backend.url}/api/auth/refresh-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken }),
    }).catch((error: unknown) => error);
    await expect.poll(() => backend.stats().inFlightRefreshes).toBe(1);
    await backend.close();
    expect(await pending).toBeInstanceOf(Error);
  });

  it("rejects bad control values, over HTTP and in process", async () => {
    const backend = await start();
    const response = await post(backend, "/__control", { failMode: "sometimes", refreshLatencyMs: -1, typo: 1 });
    expect(response.status).toBe(400);
    expect(response.body.problems).toHaveLength(3);
    expect(() => backend.setOptions({ accessTokenTtlSeconds: 0 })).toThrow(/accessTokenTtlSeconds/);
    await expect(startReferenceBackend({ port: 0, shape: "soap" as never })).rejects.toThrow(/shape/);
  });
});

describe("stats and memory", () => {
  it("counts every kind of request and resets over HTTP", async () => {
    const backend = await start();
    const { accessToken, refreshToken } = await login(backend);
    await post(backend, "/api/auth", { ...DEMO, password: "wrong" });
    await refresh(backend, refreshToken);
    await refresh(backend, refreshToken);
    await get(backend, "/api/me", accessToken);

    expect((await get(backend, "/__stats")).body).toEqual({
      logins: 1,
      loginFailures: 1,
      refreshes: 1,
      refreshAttempts: 2,
      reuseDetections: 1,
      reuseWithinInterval: 0,
      familiesRevoked: 1,
      revocationRequests: 0,
      revocations: 0,
      profileRequests: 1,
      profileUnauthorized: 1,
      inFlightRefreshes: 0,
      maxConcurrentRefreshes: 1,
    });
    const reset = await post(backend, "/__stats/reset", {});
    expect(Object.entries(reset.body).filter(([, value]) => value !== 0)).toEqual([]);
    expect(Object.entries(backend.stats()).filter(([, value]) => value !== 0)).toEqual([]);
  });

  it("sweeps expired families and refresh tokens so memory stays bounded", async () => {
    // Long enough that no record expires while the loop runs, so the first count is exact.
    const clock = fakeClock();
    const backend = await start({ accessTokenTtlSeconds: 1, refreshTokenTtlSeconds: 2, clock: clock.now });
    for (let index = 0; index < 50; index += 1) {
      const { refreshToken } = await login(backend);
      await refresh(backend, refreshToken);
    }
    expect(backend.sizes()).toEqual({ refreshTokens: 100, families: 50 });

    clock.advance(2_200);
    await get(backend, "/healthz");
    expect(backend.sizes()).toEqual({ refreshTokens: 0, families: 0 });
  });
});
