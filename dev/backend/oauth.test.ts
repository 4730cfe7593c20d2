/**
 * The oauth shape's RFC 6749 token endpoint and RFC 7009 revocation endpoint over real HTTP: both client
 * authentication methods and public clients, form bodies only, every §5.2 error code, scope, the binding
 * of refresh tokens to their client, and revocation.
 */

import { describe, expect, it } from "vitest";
import { formEncode } from "./client-auth";
import type { ReferenceBackend } from "./server";
import { CONFIDENTIAL, DEMO, PUBLIC_CLIENT_ID, fakeClock, getProfile, postForm, postJson, start } from "./test-http";

const TOKEN = "/oauth/token";
const REVOKE = "/oauth/revoke";

function basic(id: string, secret: string, encode = true): string {
  const pair = encode ? `${formEncode(id)}:${formEncode(secret)}` : `${id}:${secret}`;
  return `Basic ${Buffer.from(pair).toString("base64")}`;
}
const BASIC = { authorization: basic(CONFIDENTIAL.clientId, CONFIDENTIAL.clientSecret) };
const PASSWORD = { grant_type: "password", username: DEMO.email, password: DEMO.password };

async function signIn(
  backend: ReferenceBackend,
  extra: Record<string, string> = {},
  headers: Record<string, string> = BASIC,
) {
  const response = await postForm(backend, TOKEN, { ...PASSWORD, ...extra }, headers);
  expect(response.status).toBe(200);
  return response.body as { access_token: string; refresh_token: string; expires_in: number; scope?: string };
}

describe("token endpoint: client authentication", () => {
  it("client_secret_basic: a §5.1 answer, not cached", async () => {
    const backend = await start({ shape: "oauth", accessTokenTtlSeconds: 120 });
    const response = await postForm(backend, TOKEN, PASSWORD, BASIC);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(["access_token", "expires_in", "refresh_token", "token_type"]);
    expect(response.body).toMatchObject({ token_type: "Bearer", expires_in: 120 });
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect((await getProfile(backend, response.body.access_token)).status).toBe(200);
    expect(backend.stats()).toMatchObject({ logins: 1 });
  });

  it("client_secret_basic form-urlencodes the id and secret inside Basic (§2.3.1)", async () => {
    const client = { clientId: "svc:one", clientSecret: "p@ss word+:%é" };
    const backend = await start({ shape: "oauth", oauthClients: [client] });
    expect(
      (await postForm(backend, TOKEN, PASSWORD, { authorization: basic(client.clientId, client.clientSecret) })).status,
    ).toBe(200);
    // Unencoded, the colon in the id splits it wrongly and the lone % cannot be decoded.
    const raw = await postForm(backend, TOKEN, PASSWORD, {
      authorization: basic(client.clientId, client.clientSecret, false),
    });
    expect(raw).toMatchObject({ status: 401, body: { error: "invalid_client" } });
  });

  it("client_secret_post and a public client's bare client_id both work, through a refresh too", async () => {
    const backend = await start({ shape: "oauth" });
    const post = { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret };
    const confidential = await signIn(backend, post, {});
    const refreshed = await postForm(backend, TOKEN, {
      grant_type: "refresh_token",
      refresh_token: confidential.refresh_token,
      ...post,
    });
    expect(refreshed.status).toBe(200);

    const publicClient = await signIn(backend, { client_id: PUBLIC_CLIENT_ID }, {});
    const refreshedPublic = await postForm(backend, TOKEN, {
      grant_type: "refresh_token",
      refresh_token: publicClient.refresh_token,
      client_id: PUBLIC_CLIENT_ID,
    });
    expect(refreshedPublic.status).toBe(200);
    expect(backend.stats()).toMatchObject({ logins: 2, refreshes: 2 });
  });

  it.each([
    {
      problem: "no client authentication",
      params: {},
      headers: {},
      status: 401,
      error: "invalid_client",
      challenge: false,
    },
    {
      problem: "an unknown client_id",
      params: { client_id: "nobody" },
      headers: {},
      status: 401,
      error: "invalid_client",
      challenge: false,
    },
    {
      problem: "a wrong secret in the body",
      params: { client_id: CONFIDENTIAL.clientId, client_secret: "wrong" },
      headers: {},
      status: 401,
      error: "invalid_client",
      challenge: false,
    },
    {
      problem: "a confidential client without its secret",
      params: { client_id: CONFIDENTIAL.clientId },
      headers: {},
      status: 401,
      error: "invalid_client",
      challenge: false,
    },
    {
      problem: "a public client sending a secret",
      params: { client_id: PUBLIC_CLIENT_ID, client_secret: "x" },
      headers: {},
      status: 401,
      error: "invalid_client",
      challenge: false,
    },
    {
      problem: "a wrong secret in Basic",
      params: {},
      headers: { authorization: basic(CONFIDENTIAL.clientId, "wrong") },
      status: 401,
      error: "invalid_client",
      challenge: true,
    },
    {
      problem: "an unknown client in Basic",
      params: {},
      headers: { authorization: basic("nobody", "x") },
      status: 401,
      error: "invalid_client",
      challenge: true,
    },
    {
      problem: "malformed Basic",
      params: {},
      headers: { authorization: "Basic !!!" },
      status: 401,
      error: "invalid_client",
      challenge: true,
    },
    {
      problem: "Basic and body credentials at once",
      params: { client_id: CONFIDENTIAL.clientId, client_secret: CONFIDENTIAL.clientSecret },
      headers: BASIC,
      status: 400,
      error: "invalid_request",
      challenge: false,
    },
    {
      problem: "Basic and a body client_id at once",
      params: { client_id: CONFIDENTIAL.clientId },
      headers: BASIC,
      status: 400,
      error: "invalid_request",
      challenge: false,
    },
  ])("refuses $problem: $status $error", async ({ params, headers, status, error, challenge }) => {
    const backend = await start({ shape: "oauth" });
    const response = await postForm(backend, TOKEN, { ...PASSWORD, ...params }, headers);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error, error_description: expect.any(String) });
    expect(response.headers.get("www-authenticate")).toBe(challenge ? 'Basic realm="reference-backend"' : null);
    expect(backend.stats().logins + backend.stats().loginFailures).toBe(0);
  });
});

describe("token endpoint: requests and grants", () => {
  it.each([
    {
      problem: "a JSON body",
      send: (b: ReferenceBackend) => postJson(b, TOKEN, PASSWORD, BASIC),
      error: "invalid_request",
    },
    {
      problem: "a repeated parameter",
      send: (b: ReferenceBackend) => formWith(b, "grant_type=password&grant_type=password&username=a&password=b"),
      error: "invalid_request",
    },
    {
      problem: "no grant_type",
      send: (b: ReferenceBackend) => postForm(b, TOKEN, { ...PASSWORD, grant_type: undefined }, BASIC),
      error: "invalid_request",
    },
    {
      problem: "an unknown grant_type",
      send: (b: ReferenceBackend) => postForm(b, TOKEN, { ...PASSWORD, grant_type: "client_credentials" }, BASIC),
      error: "unsupported_grant_type",
    },
    {
      problem: "no username",
      send: (b: ReferenceBackend) => postForm(b, TOKEN, { ...PASSWORD, username: undefined }, BASIC),
      error: "invalid_request",
    },
    {
      problem: "a wrong password",
      send: (b: ReferenceBackend) => postForm(b, TOKEN, { ...PASSWORD, password: "nope" }, BASIC),
      error: "invalid_grant",
    },
    {
      problem: "a scope outside oauthScopes",
      send: (b: ReferenceBackend) => postForm(b, TOKEN, { ...PASSWORD, scope: "openid admin" }, BASIC),
      error: "invalid_scope",
    },
    {
      problem: "no refresh_token",
      send: (b: ReferenceBackend) => postForm(b, TOKEN, { grant_type: "refresh_token" }, BASIC),
      error: "invalid_request",
    },
    {
      problem: "an unknown refresh token",
      send: (b: ReferenceBackend) => postForm(b, TOKEN, { grant_type: "refresh_token", refresh_token: "nope" }, BASIC),
      error: "invalid_grant",
    },
  ])("answers $problem with 400 $error", async ({ send, error }) => {
    const backend = await start({ shape: "oauth" });
    const response = await send(backend);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error, error_description: expect.any(String) });
  });

  it("refuses a refresh token presented by another client, without consuming it", async () => {
    const backend = await start({ shape: "oauth" });
    const { refresh_token } = await signIn(backend);
    const stolen = await postForm(backend, TOKEN, {
      grant_type: "refresh_token",
      refresh_token,
      client_id: PUBLIC_CLIENT_ID,
    });
    expect(stolen).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // Nor through the client-less JSON path.
    expect((await postJson(backend, "/api/auth/refresh-token", { refresh_token })).body.error).toBe("invalid_grant");
    const owner = await postForm(backend, TOKEN, { grant_type: "refresh_token", refresh_token }, BASIC);
    expect(owner.status).toBe(200);
    expect(backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0 });
  });

  it("refuses consumed, revoked and expired refresh tokens with invalid_grant", async () => {
    const clock = fakeClock();
    const backend = await start({ shape: "oauth", refreshTokenTtlSeconds: 60, clock: clock.now });
    const refresh = (refresh_token: string) =>
      postForm(backend, TOKEN, { grant_type: "refresh_token", refresh_token }, BASIC);
    const first = await signIn(backend);
    const second = (await refresh(first.refresh_token)).body;
    expect(await refresh(first.refresh_token)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(await refresh(second.refresh_token)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });

    const other = await signIn(backend);
    clock.advance(60_000);
    expect(await refresh(other.refresh_token)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("grants a requested scope, keeps it across refreshes, and lets a refresh narrow but not widen it", async () => {
    const backend = await start({ shape: "oauth" });
    const granted = await signIn(backend, { scope: "openid profile" });
    expect(granted.scope).toBe("openid profile");
    const refresh = (refresh_token: string, scope?: string) =>
      postForm(backend, TOKEN, { grant_type: "refresh_token", refresh_token, scope }, BASIC);

    expect(await refresh(granted.refresh_token, "openid email")).toMatchObject({
      status: 400,
      body: { error: "invalid_scope" },
    });
    const narrowed = await refresh(granted.refresh_token, "openid");
    expect(narrowed).toMatchObject({ status: 200, body: { scope: "openid" } });
    expect((await refresh(narrowed.body.refresh_token)).body.scope).toBe("openid profile");
  });

  it("exists only in the oauth shape; the JSON paths keep answering there", async () => {
    const backend = await start();
    expect((await postForm(backend, TOKEN, PASSWORD, BASIC)).status).toBe(404);
    expect((await postForm(backend, REVOKE, { token: "x" }, BASIC)).status).toBe(404);
    backend.setOptions({ shape: "oauth" });
    expect((await postForm(backend, TOKEN, PASSWORD, BASIC)).status).toBe(200);
    const json = await postJson(backend, "/api/auth", DEMO);
    expect(json).toMatchObject({ status: 200, body: { token_type: "Bearer" } });
  });
});

describe("revocation endpoint (RFC 7009)", () => {
  it.each(["refresh_token", "access_token", undefined])(
    "revoking a token (hint %s) revokes its family: refresh and access tokens stop working",
    async (hint) => {
      const backend = await start({ shape: "oauth" });
      const tokens = await signIn(backend);
      const token = hint === "access_token" ? tokens.access_token : tokens.refresh_token;
      const response = await postForm(backend, REVOKE, { token, token_type_hint: hint }, BASIC);
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");

      const refresh = await postForm(
        backend,
        TOKEN,
        { grant_type: "refresh_token", refresh_token: tokens.refresh_token },
        BASIC,
      );
      expect(refresh).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
      expect((await getProfile(backend, tokens.access_token)).status).toBe(401);
      expect(backend.stats()).toMatchObject({ revocationRequests: 1, revocations: 1, reuseDetections: 0 });
    },
  );

  it("answers 200 for an unknown or already revoked token, counting only real revocations", async () => {
    const backend = await start({ shape: "oauth" });
    const { refresh_token } = await signIn(backend);
    expect((await postForm(backend, REVOKE, { token: "never-issued" }, BASIC)).status).toBe(200);
    expect((await postForm(backend, REVOKE, { token: refresh_token }, BASIC)).status).toBe(200);
    expect((await postForm(backend, REVOKE, { token: refresh_token }, BASIC)).status).toBe(200);
    expect(backend.stats()).toMatchObject({ revocationRequests: 3, revocations: 1 });
  });

  it.each([
    {
      problem: "bad client authentication",
      params: {},
      headers: { authorization: basic(CONFIDENTIAL.clientId, "wrong") },
      status: 401,
      error: "invalid_client",
    },
    { problem: "no client authentication", params: {}, headers: {}, status: 401, error: "invalid_client" },
    {
      problem: "a token of another client",
      params: { client_id: PUBLIC_CLIENT_ID },
      headers: {},
      status: 400,
      error: "unauthorized_client",
    },
    { problem: "no token", params: { token: undefined }, headers: BASIC, status: 400, error: "invalid_request" },
  ])("refuses $problem with $status $error and revokes nothing", async ({ params, headers, status, error }) => {
    const backend = await start({ shape: "oauth" });
    const tokens = await signIn(backend);
    const response = await postForm(backend, REVOKE, { token: tokens.refresh_token, ...params }, headers);
    expect(response).toMatchObject({ status, body: { error } });
    expect((await getProfile(backend, tokens.access_token)).status).toBe(200);
    expect(backend.stats()).toMatchObject({ revocationRequests: 1, revocations: 0 });
  });
});

async function formWith(backend: ReferenceBackend, body: string) {
  const response = await fetch(backend.url + TOKEN, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...BASIC },
    body,
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}
