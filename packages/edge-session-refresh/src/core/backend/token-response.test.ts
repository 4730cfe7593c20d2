import { describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import { parseOAuthTokenResponse, parseTokenResponse } from "./token-response";

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const IN_AN_HOUR_MS = NOW + 3_600_000;
const jwtWithExp = (exp: number) =>
  new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setExpirationTime(exp).sign(new Uint8Array(32));

describe("token responses the app understands without code changes", () => {
  const cases: Array<
    [string, () => Promise<unknown> | unknown, { access: string; refresh: string | undefined; expires: number }]
  > = [
    [
      "default: nested under data, epoch ms",
      () => ({ data: { accessToken: "A", refreshToken: "R", accessTokenExpires: IN_AN_HOUR_MS } }),
      { access: "A", refresh: "R", expires: IN_AN_HOUR_MS },
    ],
    [
      "flat camelCase, expiresAt in epoch seconds",
      () => ({ accessToken: "A", refreshToken: "R", expiresAt: IN_AN_HOUR_MS / 1000 }),
      { access: "A", refresh: "R", expires: IN_AN_HOUR_MS },
    ],
    [
      "OAuth style with expires_in",
      () => ({ access_token: "A", refresh_token: "R", token_type: "Bearer", expires_in: 900 }),
      { access: "A", refresh: "R", expires: NOW + 900_000 },
    ],
    [
      "expires_at as an ISO 8601 string",
      () => ({ access_token: "A", refresh_token: "R", expires_at: new Date(IN_AN_HOUR_MS).toISOString() }),
      { access: "A", refresh: "R", expires: IN_AN_HOUR_MS },
    ],
    [
      "expiresIn as a numeric string",
      () => ({ accessToken: "A", refreshToken: "R", expiresIn: "60" }),
      { access: "A", refresh: "R", expires: NOW + 60_000 },
    ],
    [
      "DRF access/refresh with expiry only in the JWT exp",
      async () => ({ access: await jwtWithExp(IN_AN_HOUR_MS / 1000), refresh: "R" }),
      { access: "*", refresh: "R", expires: IN_AN_HOUR_MS },
    ],
    [
      "refresh response without a new refresh token",
      () => ({ data: { accessToken: "A", expires_in: 60 } }),
      { access: "A", refresh: undefined, expires: NOW + 60_000 },
    ],
    [
      "the first expiry field wins over later ones",
      () => ({ accessToken: "A", accessTokenExpires: IN_AN_HOUR_MS, expires_in: 5 }),
      { access: "A", refresh: undefined, expires: IN_AN_HOUR_MS },
    ],
  ];

  it.each(cases)("%s", async (_label, body, expected) => {
    const parsed = parseTokenResponse(await body(), { receivedAt: NOW });
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
    const parsed = parseTokenResponse(body, { receivedAt: NOW });
    expect(parsed.kind).toBe("malformed");
    if (parsed.kind === "malformed") expect(parsed.reason).toMatch(reason);
  });
});

describe("an absolute expiry is anchored to the local clock with the lifetime the backend states", () => {
  const SKEWS_S = [-60, 0, 60];
  const LIFETIME_MS = 300_000;
  // Date and iat are whole seconds: the anchored lifetime errs a second short, never long.
  const WHOLE_SECOND = 1000;
  const jwt = (iat: number, exp: number) =>
    new SignJWT({})
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(new Uint8Array(32));

  it.each(SKEWS_S)("backend clock %i s off: absolute expiry minus the response's Date", (skew) => {
    const backendNow = NOW + skew * 1000;
    const parsed = parseTokenResponse(
      { accessToken: "A", accessTokenExpires: backendNow + LIFETIME_MS },
      { receivedAt: NOW, serverDate: backendNow },
    );
    expect(parsed).toMatchObject({ kind: "ok", tokens: { accessTokenExpires: NOW + LIFETIME_MS - WHOLE_SECOND } });
  });

  it.each(SKEWS_S)("backend clock %i s off: JWT exp minus iat when there is no Date", async (skew) => {
    const backendNowS = NOW / 1000 + skew;
    const parsed = parseTokenResponse(
      { access: await jwt(backendNowS, backendNowS + LIFETIME_MS / 1000), refresh: "R" },
      { receivedAt: NOW },
    );
    expect(parsed).toMatchObject({ kind: "ok", tokens: { accessTokenExpires: NOW + LIFETIME_MS - WHOLE_SECOND } });
  });

  it.each(SKEWS_S)("backend clock %i s off: an absolute field anchored through the JWT's iat", async (skew) => {
    const backendNowS = NOW / 1000 + skew;
    const body = {
      accessToken: await jwt(backendNowS, backendNowS + 3600),
      expiresAt: backendNowS + LIFETIME_MS / 1000,
    };
    expect(parseTokenResponse(body, { receivedAt: NOW })).toMatchObject({
      kind: "ok",
      tokens: { accessTokenExpires: NOW + LIFETIME_MS - WHOLE_SECOND },
    });
  });

  it("without Date or iat an absolute expiry is taken as the backend states it", () => {
    expect(parseTokenResponse({ accessToken: "A", expiresAt: IN_AN_HOUR_MS }, { receivedAt: NOW })).toMatchObject({
      tokens: { accessTokenExpires: IN_AN_HOUR_MS },
    });
  });

  it("an absurd expiry is malformed, not an infinite or negative time", () => {
    expect(parseTokenResponse({ accessToken: "A", expires_in: 1e308 }, { receivedAt: NOW }).kind).toBe("malformed");
    expect(parseTokenResponse({ accessToken: "A", expiresAt: 1e15 }, { receivedAt: NOW, serverDate: 1e16 }).kind).toBe(
      "malformed",
    );
  });
});

describe("OAuth 2.0 token responses (RFC 6749 §5.1)", () => {
  it("reads access_token, refresh_token and expires_in; token_type is case-insensitive Bearer", () => {
    const parsed = parseOAuthTokenResponse(
      { access_token: "A", token_type: "bearer", expires_in: 300, refresh_token: "R", scope: "openid" },
      { receivedAt: NOW },
    );
    expect(parsed).toEqual({
      kind: "ok",
      tokens: { accessToken: "A", refreshToken: "R", accessTokenExpires: NOW + 300_000 },
    });
  });

  it.each([["MAC"], ["DPoP"], [42]])("refuses token_type %s, which cannot be sent as Bearer", (tokenType) => {
    const parsed = parseOAuthTokenResponse(
      { access_token: "A", token_type: tokenType, expires_in: 300 },
      { receivedAt: NOW },
    );
    expect(parsed.kind).toBe("malformed");
  });
});
