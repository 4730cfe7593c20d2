import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReferenceBackend, type ReferenceBackend } from "../../../../../dev/backend/server";
import { sendJson, startTestServer, type TestServer } from "../../../../../test-support/http-server";
import { freePort } from "../../../../../test-support/ports";
import { parseSettings } from "../settings";
import { createBackendClient, type BackendClient } from "./client";

const DEMO = { email: "demo@example.com", password: "demo-password" };

function clientFor(baseUrl: string, env: Record<string, string> = {}): BackendClient {
  return createBackendClient({
    settings: parseSettings({ BACKEND_URL: baseUrl, BACKEND_TIMEOUT_MS: "300", ...env }).backend,
  });
}

describe.each(["default", "oauth", "drf"] as const)("against the reference backend, %s shape", (shape) => {
  let backend: ReferenceBackend;
  beforeAll(async () => {
    backend = await startReferenceBackend({ port: 0, shape });
  });
  afterAll(() => backend.close());

  it("signs in, refreshes with rotation, fetches the profile, and refuses a replayed token", async () => {
    const client = clientFor(backend.url);
    const login = await client.login(DEMO.email, DEMO.password);
    expect(login.kind).toBe("ok");
    if (login.kind !== "ok") return;
    expect(login.value.accessTokenExpires).toBeGreaterThan(Date.now());

    const refreshed = await client.refresh(login.value.refreshToken);
    expect(refreshed.kind).toBe("ok");
    if (refreshed.kind !== "ok") return;
    expect(refreshed.value.refreshToken).not.toBe(login.value.refreshToken);

    const profile = await client.profile(refreshed.value.accessToken);
    expect(profile).toMatchObject({ kind: "ok", value: { email: DEMO.email } });

    expect((await client.refresh(login.value.refreshToken)).kind).toBe("rejected");
    expect(backend.stats().reuseDetections).toBe(1);
  });

  it("reports refused credentials as rejected, with the backend's words", async () => {
    const refused = await clientFor(backend.url).login(DEMO.email, "wrong");
    expect(refused.kind).toBe("rejected");
  });
});

describe("settings change the wire format without code changes", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer((request, response) => {
      const body = JSON.parse(request.body || "{}") as Record<string, string>;
      if (request.url === "/v2/login" && body.user === "u" && body.pass === "p") {
        return sendJson(response, 200, { result: "ignored", access_token: "A1", refresh_token: "R1", expires_in: 60 });
      }
      if (request.url === "/v2/refresh" && body.token === "R1")
        return sendJson(response, 200, { access_token: "A2", expires_in: 60 });
      sendJson(response, 401, { detail: "nope" });
    });
  });
  afterAll(() => server.close());

  it("uses the configured paths and field names, and keeps the refresh token when none comes back", async () => {
    const client = clientFor(server.url, {
      BACKEND_LOGIN_PATH: "/v2/login",
      BACKEND_REFRESH_PATH: "/v2/refresh",
      BACKEND_LOGIN_USERNAME_FIELD: "user",
      BACKEND_LOGIN_PASSWORD_FIELD: "pass",
      BACKEND_REFRESH_TOKEN_FIELD: "token",
    });
    expect(await client.login("u", "p")).toMatchObject({
      kind: "ok",
      value: { accessToken: "A1", refreshToken: "R1" },
    });
    expect(await client.refresh("R1")).toMatchObject({ kind: "ok", value: { accessToken: "A2", refreshToken: "R1" } });
    expect(await client.login("u", "bad")).toMatchObject({ kind: "rejected", status: 401, message: "nope" });
  });
});

describe("failures are classified where they happen", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer((request, response) => {
      switch (request.url) {
        case "/503":
          return sendJson(response, 503, { error: "down" });
        case "/429":
          return sendJson(response, 429, { error: "slow down" });
        case "/400":
          return sendJson(response, 400, { error: "invalid_grant", error_description: "Refresh token reused" });
        case "/garbage":
          response.writeHead(200, { "content-type": "application/json" });
          return response.end("<html>oops");
        case "/empty-object":
          return sendJson(response, 200, {});
        case "/redirect":
          response.writeHead(302, { location: "/elsewhere" });
          return response.end();
        case "/401":
          return sendJson(response, 401, { message: "token revoked" });
        case "/403":
          return sendJson(response, 403, {});
        case "/405":
          return sendJson(response, 405, {});
        case "/415":
          return sendJson(response, 415, {});
        case "/hang":
          return; // never answers
        default:
          sendJson(response, 404, {});
      }
    });
  });
  afterAll(() => server.close());

  const refreshAt = (path: string) => clientFor(server.url, { BACKEND_REFRESH_PATH: path }).refresh("R");
  const cases: Array<[string, string, Record<string, unknown>]> = [
    ["5xx", "/503", { kind: "unavailable", reason: "status", status: 503 }],
    ["rate limited", "/429", { kind: "unavailable", reason: "status", status: 429 }],
    ["an OAuth invalid_grant 400", "/400", { kind: "rejected", status: 400, message: "Refresh token reused" }],
    ["a 2xx that is not JSON", "/garbage", { kind: "malformed" }],
    ["a 2xx without tokens", "/empty-object", { kind: "malformed" }],
    ["401 is a refusal", "/401", { kind: "rejected", status: 401, message: "token revoked" }],
    ["403 is a refusal", "/403", { kind: "rejected", status: 403 }],
    [
      "a redirect is a wrong URL, not a refusal",
      "/redirect",
      { kind: "misconfigured", status: 302, setting: "BACKEND_REFRESH_PATH" },
    ],
    [
      "404 is a wrong path, not a refusal",
      "/no-such-path",
      { kind: "misconfigured", status: 404, setting: "BACKEND_REFRESH_PATH" },
    ],
    ["405 is a wrong path or method", "/405", { kind: "misconfigured", status: 405 }],
    ["415 is a wrong body format", "/415", { kind: "misconfigured", status: 415 }],
    ["no answer within the timeout", "/hang", { kind: "unavailable", reason: "timeout" }],
  ];
  it.each(cases)("%s", async (_label, path, expected) => {
    expect(await refreshAt(path)).toMatchObject(expected);
  });

  it("a closed port is a network failure", async () => {
    const port = await freePort();
    expect(await clientFor(`http://127.0.0.1:${port}`).refresh("R")).toMatchObject({
      kind: "unavailable",
      reason: "network",
    });
  });
});

describe("the oauth2 protocol speaks RFC 6749 to a token endpoint", () => {
  let server: TestServer;
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  beforeAll(async () => {
    server = await startTestServer((_request, response) => sendJson(response, answer.status, answer.body));
  });
  afterAll(() => server.close());

  const oauthClient = (env: Record<string, string> = {}) =>
    clientFor(server.url, {
      BACKEND_PROTOCOL: "oauth2",
      BACKEND_CLIENT_ID: "my app:1",
      BACKEND_CLIENT_SECRET: "s3cr&t=+/",
      ...env,
    });
  const last = () => {
    const request = server.requests.at(-1)!;
    return { ...request, form: Object.fromEntries(new URLSearchParams(request.body)) };
  };

  it("signs in with the password grant, form-encoded, client_secret_basic by default", async () => {
    answer = { status: 200, body: { access_token: "A", token_type: "Bearer", expires_in: 300, refresh_token: "R" } };
    const login = await oauthClient({ BACKEND_SCOPE: "openid offline_access" }).login("ann@example.com", "p@ss word");
    expect(login).toMatchObject({ kind: "ok", value: { accessToken: "A", refreshToken: "R" } });
    const request = last();
    expect(request.path).toBe("/oauth/token");
    expect(request.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.form).toEqual({
      grant_type: "password",
      username: "ann@example.com",
      password: "p@ss word",
      scope: "openid offline_access",
    });
    // §2.3.1: id and secret are form-encoded, then joined and base64-encoded.
    const basic = Buffer.from(String(request.headers.authorization).replace(/^Basic /, ""), "base64").toString();
    expect(basic).toBe("my+app%3A1:s3cr%26t%3D%2B%2F");
  });

  it("refreshes with the refresh_token grant; client_secret_post puts both credentials in the body", async () => {
    answer = { status: 200, body: { access_token: "A2", token_type: "bearer", expires_in: 300 } };
    const refreshed = await oauthClient({ BACKEND_CLIENT_AUTH: "post" }).refresh("R1");
    expect(refreshed).toMatchObject({ kind: "ok", value: { accessToken: "A2", refreshToken: "R1" } });
    expect(last().form).toEqual({
      grant_type: "refresh_token",
      refresh_token: "R1",
      client_id: "my app:1",
      client_secret: "s3cr&t=+/",
    });
    expect(last().headers.authorization).toBeUndefined();
  });

  it("a public client sends its client_id alone", async () => {
    answer = { status: 200, body: { access_token: "A3", token_type: "Bearer", expires_in: 300 } };
    await clientFor(server.url, { BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_ID: "spa" }).refresh("R1");
    expect(last().form).toEqual({ grant_type: "refresh_token", refresh_token: "R1", client_id: "spa" });
    expect(last().headers.authorization).toBeUndefined();
  });

  const errors: Array<[string, number, Record<string, unknown>]> = [
    ["invalid_grant", 400, { kind: "rejected", status: 400 }],
    ["invalid_client", 401, { kind: "misconfigured", setting: expect.stringContaining("BACKEND_CLIENT_SECRET") }],
    ["unauthorized_client", 400, { kind: "misconfigured" }],
    ["unsupported_grant_type", 400, { kind: "misconfigured" }],
    ["invalid_scope", 400, { kind: "misconfigured", setting: "BACKEND_SCOPE" }],
    ["invalid_request", 400, { kind: "misconfigured" }],
  ];
  it.each(errors)("%s (%i) is %o", async (error, status, expected) => {
    answer = { status, body: { error, error_description: `said ${error}` } };
    expect(await oauthClient().refresh("R1")).toMatchObject(expected);
    expect(await oauthClient().login("a", "b")).toMatchObject(expected);
  });

  it("a bare 401 from the token endpoint is our client's credentials, not the user's", async () => {
    answer = { status: 401, body: "" };
    expect(await oauthClient().refresh("R1")).toMatchObject({ kind: "misconfigured" });
  });

  it("revokes on sign-out per RFC 7009, and says 'skipped' when no revocation endpoint is set", async () => {
    answer = { status: 200, body: {} };
    expect(await oauthClient({ BACKEND_REVOCATION_PATH: "/oauth/revoke" }).revoke("R9")).toEqual({
      kind: "ok",
      value: "revoked",
    });
    expect(last().path).toBe("/oauth/revoke");
    expect(last().form).toEqual({ token: "R9", token_type_hint: "refresh_token" });
    expect(last().headers.authorization).toMatch(/^Basic /);
    expect(await oauthClient().revoke("R9")).toEqual({ kind: "skipped" });
  });

  it("the JSON protocol posts the refresh token to BACKEND_LOGOUT_PATH", async () => {
    answer = { status: 204, body: "" };
    expect(await clientFor(server.url, { BACKEND_LOGOUT_PATH: "/api/auth/logout" }).revoke("R7")).toEqual({
      kind: "ok",
      value: "revoked",
    });
    expect(last()).toMatchObject({ path: "/api/auth/logout", body: JSON.stringify({ refreshToken: "R7" }) });
  });
});

describe("against the reference backend's RFC 6749 token endpoint", () => {
  let backend: ReferenceBackend;
  beforeAll(async () => {
    backend = await startReferenceBackend({ port: 0, shape: "oauth" });
  });
  afterAll(() => backend.close());

  const oauth = (env: Record<string, string>) =>
    clientFor(backend.url, { BACKEND_PROTOCOL: "oauth2", BACKEND_REVOCATION_PATH: "/oauth/revoke", ...env });
  const clients: Array<[string, Record<string, string>]> = [
    ["client_secret_basic", { BACKEND_CLIENT_ID: "demo-client", BACKEND_CLIENT_SECRET: "demo-secret" }],
    [
      "client_secret_post",
      { BACKEND_CLIENT_ID: "demo-client", BACKEND_CLIENT_SECRET: "demo-secret", BACKEND_CLIENT_AUTH: "post" },
    ],
    ["a public client", { BACKEND_CLIENT_ID: "demo-public" }],
  ];

  it.each(clients)("%s: sign in, rotate, revoke; the revoked token is refused", async (_label, env) => {
    const client = oauth({ ...env, BACKEND_SCOPE: "openid offline_access" });
    const login = await client.login(DEMO.email, DEMO.password);
    if (login.kind !== "ok") throw new Error(JSON.stringify(login));
    const refreshed = await client.refresh(login.value.refreshToken);
    if (refreshed.kind !== "ok") throw new Error(JSON.stringify(refreshed));
    expect(refreshed.value.refreshToken).not.toBe(login.value.refreshToken);
    expect(await client.refresh(login.value.refreshToken)).toMatchObject({ kind: "rejected" });
    const fresh = await client.login(DEMO.email, DEMO.password);
    if (fresh.kind !== "ok") throw new Error(JSON.stringify(fresh));
    const before = backend.stats().revocations;
    expect(await client.revoke(fresh.value.refreshToken)).toEqual({ kind: "ok", value: "revoked" });
    expect(backend.stats().revocations).toBe(before + 1);
    expect(await client.refresh(fresh.value.refreshToken)).toMatchObject({ kind: "rejected" });
  });

  it("a wrong client secret is a misconfiguration, not a wrong password", async () => {
    expect(
      await oauth({ BACKEND_CLIENT_ID: "demo-client", BACKEND_CLIENT_SECRET: "wrong" }).login(
        DEMO.email,
        DEMO.password,
      ),
    ).toMatchObject({
      kind: "misconfigured",
    });
    expect(
      await oauth({ BACKEND_CLIENT_ID: "demo-client", BACKEND_CLIENT_SECRET: "demo-secret" }).login(
        DEMO.email,
        "wrong",
      ),
    ).toMatchObject({
      kind: "rejected",
    });
  });

  it("a scope the server does not allow is a misconfiguration", async () => {
    expect(
      await oauth({ BACKEND_CLIENT_ID: "demo-public", BACKEND_SCOPE: "admin" }).login(DEMO.email, DEMO.password),
    ).toMatchObject({
      kind: "misconfigured",
      setting: "BACKEND_SCOPE",
    });
  });
});

describe("a backend clock 60 s off is anchored to ours", () => {
  it.each([-60, 60])("skew %i s, every shape: the access token lives its real lifetime from now", async (skew) => {
    for (const shape of ["default", "oauth", "drf"] as const) {
      const backend = await startReferenceBackend({
        port: 0,
        shape,
        clockSkewSeconds: skew,
        accessTokenTtlSeconds: 120,
      });
      try {
        const client =
          shape === "oauth"
            ? clientFor(backend.url, { BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_ID: "demo-public" })
            : clientFor(backend.url);
        const login = await client.login(DEMO.email, DEMO.password);
        if (login.kind !== "ok") throw new Error(JSON.stringify(login));
        // Date has whole seconds, so the anchor is exact within about a second.
        expect(Math.abs(login.value.accessTokenExpires - (Date.now() + 120_000)), shape).toBeLessThan(2_500);
      } finally {
        await backend.close();
      }
    }
  });
});
