import { describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { parseTokenResponse } from "./token-response";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const IN_AN_HOUR_MS = NOW + 3_600_000;
const jwtWithExp = (exp: number) => new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setExpirationTime(exp).sign(new Uint8Array(32));

describe("token responses the app understands without code changes", () => {
  const cases: Array<[string, () => Promise<unknown> | unknown, { access: string; refresh: string | undefined; expires: number }]> = [
    ["default: nested under data, epoch ms", () => ({ data: { accessToken: "A", refreshToken: "R", accessTokenExpires: IN_AN_HOUR_MS } }), { access: "A", refresh: "R", expires: IN_AN_HOUR_MS }],
    ["flat camelCase, expiresAt in epoch seconds", () => ({ accessToken: "A", refreshToken: "R", expiresAt: IN_AN_HOUR_MS / 1000 }), { access: "A", refresh: "R", expires: IN_AN_HOUR_MS }],
    ["OAuth style with expires_in", () => ({ access_token: "A", refresh_token: "R", token_type: "Bearer", expires_in: 900 }), { access: "A", refresh: "R", expires: NOW + 900_000 }],
    ["expires_at as an ISO 8601 string", () => ({ access_token: "A", refresh_token: "R", expires_at: new Date(IN_AN_HOUR_MS).toISOString() }), { access: "A", refresh: "R", expires: IN_AN_HOUR_MS }],
    ["expiresIn as a numeric string", () => ({ accessToken: "A", refreshToken: "R", expiresIn: "60" }), { access: "A", refresh: "R", expires: NOW + 60_000 }],
    ["DRF access/refresh with expiry only in the JWT exp", async () => ({ access: await jwtWithExp(IN_AN_HOUR_MS / 1000), refresh: "R" }), { access: "*", refresh: "R", expires: IN_AN_HOUR_MS }],
    ["refresh response without a new refresh token", () => ({ data: { accessToken: "A", expires_in: 60 } }), { access: "A", refresh: undefined, expires: NOW + 60_000 }],
    ["the first expiry field wins over later ones", () => ({ accessToken: "A", accessTokenExpires: IN_AN_HOUR_MS, expires_in: 5 }), { access: "A", refresh: undefined, expires: IN_AN_HOUR_MS }],
  ];

  it.each(cases)("%s", async (_label, body, expected) => {
    const parsed = parseTokenResponse(await body(), NOW);
    expect(parsed.kind).toBe("ok");
    if (parsed.kind !== "ok") return;
    if (expected.access !== "*") expect(parsed.tokens.accessToken).toBe(expected.access);
    expect(parsed.tokens.refreshToken).toBe(expected.refresh);
    expect(parsed.tokens.accessTokenExpires).toBe(expected.expires);
  });
});

describe("malformed token responses are values with a reason, never a crash", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["null", null, /not a JSON object/],
    ["an array", [{ accessToken: "A" }], /not a JSON object/],
    ["no access token", { data: { refreshToken: "R", expires_in: 60 } }, /no access token/],
    ["an empty access token", { accessToken: "", expires_in: 60 }, /no access token/],
    ["an opaque token and no expiry", { accessToken: "opaque", refreshToken: "R" }, /no expiry/],
    ["an unreadable expiry", { accessToken: "A", expiresAt: "next tuesday" }, /expiresAt/],
    ["a negative expires_in", { accessToken: "A", expires_in: -5 }, /expires_in/],
    ["a date without a time", { accessToken: "A", expires_at: "2026-12-01" }, /expires_at/],
  ];
  it.each(cases)("%s", (_label, body, reason) => {
    const parsed = parseTokenResponse(body, NOW);
    expect(parsed.kind).toBe("malformed");
    if (parsed.kind === "malformed") expect(parsed.reason).toMatch(reason);
  });
});
