/**
 * credentialsFromBackend against the reference backend over HTTP, through the isolate's runtime (settings
 * from process.env, as in an app), and withBackendTokens on the answers of the common shapes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReferenceBackend, type ReferenceBackend } from "../../../../dev/backend/server";
import { DEMO_EMAIL, DEMO_PASSWORD } from "../../../../test-support/services";
import { credentialsFromBackend, withBackendTokens } from "./credentials";

let backend: ReferenceBackend;
let closed = false;

beforeAll(async () => {
  backend = await startReferenceBackend();
  process.env.NEXTAUTH_SECRET = "credentials-test-secret-0123456789";
  process.env.BACKEND_URL = backend.url;
  process.env.SESSION_STORE_ANNOUNCED = "1";
  process.env.SIGNIN_CLIENT_IP_HEADER = "x-forwarded-for";
});

afterAll(async () => {
  if (!closed) await backend?.close();
});

describe("credentialsFromBackend", () => {
  it("signs in at the backend and returns the profile's user with the tokens; a wrong password is null", async () => {
    const authorize = credentialsFromBackend({ identifierField: "email" });
    const user = await authorize({ email: DEMO_EMAIL, password: DEMO_PASSWORD });
    expect(user).toMatchObject({
      id: "user-1",
      email: DEMO_EMAIL,
      tokens: { accessToken: expect.any(String), refreshToken: expect.any(String) },
    });
    expect(user!.tokens.accessTokenExpires).toBeGreaterThan(Date.now());
    expect(await authorize({ email: DEMO_EMAIL, password: "wrong" })).toBeNull();
    expect(await authorize({ email: "", password: DEMO_PASSWORD })).toBeNull();
    expect(backend.stats()).toMatchObject({ logins: 1, loginFailures: 1 });
  });

  it("limits attempts before the backend, with the address from next-auth's req (plain headers or Fetch Headers), and forwards it", async () => {
    const authorize = credentialsFromBackend();
    backend.resetStats();
    const appRouterReq = { headers: { "x-forwarded-for": "6.6.6.6, 198.51.100.7" } };
    for (let i = 0; i < 5; i++)
      expect(await authorize({ identifier: "limited@example.com", password: `wrong-${i}` }, appRouterReq)).toBeNull();
    await expect(
      authorize(
        { identifier: "Limited@Example.com ", password: "wrong" },
        { headers: new Headers(appRouterReq.headers) },
      ),
    ).rejects.toThrow(/^Too many attempts; try again in \d+ minutes?\.$/);
    expect(backend.loginRequests().map((request) => request.forwardedFor)).toEqual(Array(5).fill("198.51.100.7"));
    // Garbage where the address should be: no address, no error, nothing forwarded.
    expect(
      await authorize(
        { identifier: "other@example.com", password: "wrong" },
        { headers: { "x-forwarded-for": "\u0000<script>" } },
      ),
    ).toBeNull();
    expect(backend.loginRequests().at(-1)?.forwardedFor).toBeNull();
  });

  it("a backend that does not answer is an error with a message for the login page, not a refusal", async () => {
    // Last test of the file: the backend goes away for good.
    await backend.close();
    closed = true;
    await expect(credentialsFromBackend()({ identifier: DEMO_EMAIL, password: DEMO_PASSWORD })).rejects.toThrow(
      /not answering/,
    );
  });
});

describe("withBackendTokens", () => {
  it.each([
    [
      "nested",
      { data: { accessToken: "a", refreshToken: "r", accessTokenExpires: 2_000_000_000_000 } },
      2_000_000_000_000,
    ],
    ["OAuth style", { access_token: "a", refresh_token: "r", expires_in: 60 }, 1_000_060_000],
    ["recipe style", { id: "u", accessToken: "a", refreshToken: "r", expiresIn: 60 }, 1_000_060_000],
  ])("reads the %s answer", (_, body, expires) => {
    expect(withBackendTokens({ id: "u" }, body, 1_000_000_000)).toEqual({
      id: "u",
      tokens: {
        accessToken: "a",
        refreshToken: "r",
        accessTokenExpires: expires,
        accessTokenReceivedAt: 1_000_000_000,
      },
    });
  });

  it("refuses an answer without a refresh token or a usable expiry", () => {
    expect(() => withBackendTokens({ id: "u" }, { accessToken: "a", expires_in: 60 })).toThrow(/no refresh token/);
    expect(() => withBackendTokens({ id: "u" }, { accessToken: "a", refreshToken: "r" })).toThrow(/cannot be used/);
  });
});
