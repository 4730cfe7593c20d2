/**
 * Sign-out at the JSON logout endpoint over real HTTP: the family of the given refresh token is revoked, so
 * its refresh and access tokens stop working, while other sessions of the same user go on.
 */

import { describe, expect, it } from "vitest";
import { DEMO, getProfile, postJson, start } from "./test-http";

const LOGOUT = "/api/auth/logout";

describe("POST /api/auth/logout", () => {
  it("revokes the family of the refresh token: its successor and access tokens die, other sessions live", async () => {
    const backend = await start();
    const first = (await postJson(backend, "/api/auth", DEMO)).body.data;
    const other = (await postJson(backend, "/api/auth", DEMO)).body.data;
    const rotated = (await postJson(backend, "/api/auth/refresh-token", { refreshToken: first.refreshToken })).body
      .data;

    const response = await fetch(backend.url + LOGOUT, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: rotated.refreshToken }),
    });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");

    expect(await postJson(backend, "/api/auth/refresh-token", { refreshToken: rotated.refreshToken })).toMatchObject({
      status: 401,
      body: { error: "token_revoked" },
    });
    expect(await getProfile(backend, rotated.accessToken)).toMatchObject({
      status: 401,
      body: { error: "token_revoked" },
    });
    expect((await getProfile(backend, other.accessToken)).status).toBe(200);
    expect(backend.stats()).toMatchObject({
      revocationRequests: 1,
      revocations: 1,
      familiesRevoked: 1,
      reuseDetections: 0,
    });
  });

  it("answers the same for an unknown or already revoked token, and counts only the real revocation", async () => {
    const backend = await start();
    const { refreshToken } = (await postJson(backend, "/api/auth", DEMO)).body.data;
    for (const token of ["never-issued", refreshToken, refreshToken]) {
      expect((await postJson(backend, LOGOUT, { refreshToken: token })).status).toBe(204);
    }
    expect(backend.stats()).toMatchObject({ revocationRequests: 3, revocations: 1 });
  });

  it.each([
    { shape: "drf", body: (token: string) => ({ refresh: token }), status: 200 },
    { shape: "oauth", body: (token: string) => ({ refresh_token: token }), status: 200 },
  ] as const)("$shape: takes the shape's refresh field and answers $status", async ({ shape, body, status }) => {
    const backend = await start({ shape });
    const login = (await postJson(backend, "/api/auth", DEMO)).body;
    const refreshToken: string = login.refresh ?? login.refresh_token;
    expect((await postJson(backend, LOGOUT, body(refreshToken))).status).toBe(status);
    expect(backend.stats().revocations).toBe(1);
  });

  it("needs the refresh token", async () => {
    const backend = await start();
    expect(await postJson(backend, LOGOUT, {})).toMatchObject({ status: 400, body: { error: "invalid_request" } });
  });
});
