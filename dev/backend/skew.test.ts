/**
 * A backend whose clock is off (`clockSkewSeconds`): the times it states — JWT `iat`/`exp`,
 * `accessTokenExpires`, the `Date` header — are shifted, while tokens really live their configured TTL.
 * A client anchoring `exp - iat` (or expiry minus `Date`) to its own clock is right; one trusting the
 * absolute expiry is off by the skew.
 */

import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";
import { DEMO, fakeClock, getProfile, postJson, start } from "./test-http";

describe.each([60, -45])("clockSkewSeconds %i", (skew) => {
  it("shifts the stated times, not the real lifetime", async () => {
    const clock = fakeClock(Date.UTC(2026, 0, 1, 12, 0, 0, 250));
    const backend = await start({ clockSkewSeconds: skew, accessTokenTtlSeconds: 3, clock: clock.now });
    const response = await postJson(backend, "/api/auth", DEMO);
    const { accessToken, accessTokenExpires } = response.body.data;
    const claims = decodeJwt(accessToken);
    const realNowSeconds = Math.floor(clock.now() / 1000);

    expect(Date.parse(response.headers.get("date")!)).toBe((realNowSeconds + skew) * 1000);
    expect(claims.iat).toBe(realNowSeconds + skew);
    expect(claims.exp! - claims.iat!).toBe(4); // 3 s, rounded up from the quarter second
    expect(accessTokenExpires).toBe(claims.exp! * 1000);
    expect(accessTokenExpires - Date.parse(response.headers.get("date")!)).toBe(4_000);

    // Valid for its real lifetime, whatever the skew says.
    clock.advance(2_700);
    expect((await getProfile(backend, accessToken)).status).toBe(200);
    clock.advance(1_100);
    expect(await getProfile(backend, accessToken)).toMatchObject({ status: 401, body: { error: "token_expired" } });
  });
});

describe("clock skew at runtime", () => {
  it("keeps judging a token by the skew it was signed with, and shows the new skew in Date", async () => {
    const clock = fakeClock();
    const backend = await start({ clockSkewSeconds: 120, accessTokenTtlSeconds: 10, clock: clock.now });
    const { accessToken } = (await postJson(backend, "/api/auth", DEMO)).body.data;
    backend.setOptions({ clockSkewSeconds: 0 });
    // With skew 0 the stated exp (real + 130 s) would look valid for two more minutes; it is not.
    clock.advance(11_000);
    const profile = await getProfile(backend, accessToken);
    expect(profile.status).toBe(401);
    expect(Math.abs(Date.parse(profile.headers.get("date")!) - clock.now())).toBeLessThan(1_000);
  });

  it("states expires_in in real seconds in the oauth shape", async () => {
    const backend = await start({ shape: "oauth", clockSkewSeconds: 3_600, accessTokenTtlSeconds: 30 });
    const response = await postJson(backend, "/api/auth", DEMO);
    expect(response.body.expires_in).toBe(30);
    expect(decodeJwt(response.body.access_token).exp! * 1000).toBeGreaterThan(Date.now() + 3_600_000);
  });
});
