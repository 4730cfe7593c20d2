import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReferenceBackend, type ReferenceBackend } from "../../../dev/backend/server";
import { sendJson, startTestServer, type TestServer } from "../../../test-support/http-server";
import { freePort } from "../../../test-support/ports";
import { parseSettings } from "../settings";
import { createBackendClient, type BackendClient } from "./client";

const DEMO = { email: "demo@example.com", password: "demo-password" };

function clientFor(baseUrl: string, env: Record<string, string> = {}): BackendClient {
  return createBackendClient({ settings: parseSettings({ BACKEND_URL: baseUrl, BACKEND_TIMEOUT_MS: "300", ...env }).backend });
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
      if (request.url === "/v2/refresh" && body.token === "R1") return sendJson(response, 200, { access_token: "A2", expires_in: 60 });
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
    expect(await client.login("u", "p")).toMatchObject({ kind: "ok", value: { accessToken: "A1", refreshToken: "R1" } });
    expect(await client.refresh("R1")).toMatchObject({ kind: "ok", value: { accessToken: "A2", refreshToken: "R1" } });
    expect(await client.login("u", "bad")).toMatchObject({ kind: "rejected", status: 401, message: "nope" });
  });
});

describe("failures are classified where they happen", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer((request, response) => {
      switch (request.url) {
        case "/503": return sendJson(response, 503, { error: "down" });
        case "/429": return sendJson(response, 429, { error: "slow down" });
        case "/400": return sendJson(response, 400, { error: "invalid_grant", error_description: "Refresh token reused" });
        case "/garbage": response.writeHead(200, { "content-type": "application/json" }); return response.end("<html>oops");
        case "/empty-object": return sendJson(response, 200, {});
        case "/redirect": response.writeHead(302, { location: "/elsewhere" }); return response.end();
        case "/hang": return; // never answers
        default: sendJson(response, 404, {});
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
    ["a redirect", "/redirect", { kind: "unavailable", reason: "status", status: 302 }],
    ["no answer within the timeout", "/hang", { kind: "unavailable", reason: "timeout" }],
  ];
  it.each(cases)("%s", async (_label, path, expected) => {
    expect(await refreshAt(path)).toMatchObject(expected);
  });

  it("a closed port is a network failure", async () => {
    const port = await freePort();
    expect(await clientFor(`http://127.0.0.1:${port}`).refresh("R")).toMatchObject({ kind: "unavailable", reason: "network" });
  });
});
