/**
 * The token store alone, on a fake clock: rotation, reuse, revocation, expiry and how long records are kept.
 */

import { describe, expect, it } from "vitest";
import { SWEEP_INTERVAL_MS, createTokenStore } from "./tokens";

const LIFETIMES = { accessTokenTtlSeconds: 60, refreshTokenTtlSeconds: 600 };

function fakeClock(start = 1_800_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe("token store", () => {
  it("rotates a refresh token into a successor of the same family", () => {
    const store = createTokenStore(fakeClock().now);
    const login = store.login("user-1", LIFETIMES);
    const outcome = store.rotate(login.refreshToken, LIFETIMES);
    expect(outcome.kind).toBe("rotated");
    if (outcome.kind !== "rotated") return;
    expect(outcome.refreshToken).not.toBe(login.refreshToken);
    expect(outcome.family.id).toBe(login.family.id);
    expect(outcome.family.newestRefreshToken).toBe(outcome.refreshToken);
    expect(store.familyStatus(login.family.id).kind).toBe("active");
  });

  it("revokes the family when a consumed refresh token comes back, and refuses its successor", () => {
    const store = createTokenStore(fakeClock().now);
    const login = store.login("user-1", LIFETIMES);
    const rotated = store.rotate(login.refreshToken, LIFETIMES);
    if (rotated.kind !== "rotated") throw new Error("expected a rotation");

    expect(store.rotate(login.refreshToken, LIFETIMES).kind).toBe("reused");
    expect(store.familyStatus(login.family.id).kind).toBe("revoked");
    expect(store.rotate(rotated.refreshToken, LIFETIMES).kind).toBe("revoked");
    // Presenting the consumed token once more is no new detection: the family is already gone.
    expect(store.rotate(login.refreshToken, LIFETIMES).kind).toBe("revoked");
  });

  it("leaves other families alone when one is revoked", () => {
    const store = createTokenStore(fakeClock().now);
    const first = store.login("user-1", LIFETIMES);
    const second = store.login("user-1", LIFETIMES);
    store.rotate(first.refreshToken, LIFETIMES);
    store.rotate(first.refreshToken, LIFETIMES);
    expect(store.rotate(second.refreshToken, LIFETIMES).kind).toBe("rotated");
  });

  it("tells unknown and expired refresh tokens apart", () => {
    const clock = fakeClock();
    const store = createTokenStore(clock.now);
    const login = store.login("user-1", LIFETIMES);
    expect(store.rotate("not-a-token", LIFETIMES).kind).toBe("unknown");
    clock.advance(LIFETIMES.refreshTokenTtlSeconds * 1000);
    expect(store.rotate(login.refreshToken, LIFETIMES).kind).toBe("expired");
  });

  it("gives access tokens whole-second times and at least the configured lifetime", () => {
    const clock = fakeClock(1_800_000_000_700);
    const store = createTokenStore(clock.now);
    const issued = store.login("user-1", { ...LIFETIMES, accessTokenTtlSeconds: 1 });
    expect(Number.isInteger(issued.accessExp)).toBe(true);
    expect(issued.accessIat).toBe(1_800_000_000);
    expect(issued.accessExp * 1000).toBeGreaterThanOrEqual(clock.now() + 1000);
    expect(issued.accessExp * 1000).toBeLessThan(clock.now() + 2000);
  });

  it("keeps consumed records until their own expiry so late reuse is still detected, then sweeps everything", () => {
    const clock = fakeClock();
    const store = createTokenStore(clock.now);
    const login = store.login("user-1", LIFETIMES);
    clock.advance(300_000);
    store.rotate(login.refreshToken, LIFETIMES);
    expect(store.sizes()).toEqual({ refreshTokens: 2, families: 1 });

    clock.advance(299_000);
    store.sweep();
    expect(store.sizes()).toEqual({ refreshTokens: 2, families: 1 });
    expect(store.rotate(login.refreshToken, LIFETIMES).kind).toBe("reused");

    // The first token expires; the successor and the (revoked) family live on until the successor expires.
    clock.advance(1_000);
    store.sweep();
    expect(store.sizes()).toEqual({ refreshTokens: 1, families: 1 });
    expect(store.familyStatus(login.family.id).kind).toBe("revoked");

    clock.advance(300_000);
    expect(store.sweep()).toBe(2);
    expect(store.sizes()).toEqual({ refreshTokens: 0, families: 0 });
  });

  it("keeps a family as long as its longest-lived access token", () => {
    const clock = fakeClock();
    const store = createTokenStore(clock.now);
    const login = store.login("user-1", { accessTokenTtlSeconds: 120, refreshTokenTtlSeconds: 10 });
    clock.advance(11_000);
    store.sweep();
    expect(store.sizes()).toEqual({ refreshTokens: 0, families: 1 });
    expect(store.familyStatus(login.family.id).kind).toBe("active");
    clock.advance(110_000);
    store.sweep();
    expect(store.sizes().families).toBe(0);
  });

  it("sweeps on demand only once per interval", () => {
    const clock = fakeClock();
    const store = createTokenStore(clock.now);
    store.login("user-1", { accessTokenTtlSeconds: 1, refreshTokenTtlSeconds: 1 });
    clock.advance(SWEEP_INTERVAL_MS - 1);
    store.sweepIfDue();
    clock.advance(1_000);
    expect(store.sizes().families).toBe(1);
    store.sweepIfDue();
    expect(store.sizes()).toEqual({ refreshTokens: 0, families: 0 });
  });
});

describe("rotation policies", () => {
  const at = (rotation: "rotate" | "none" | "reuse-interval", reuseIntervalSeconds = 10) => ({
    ...LIFETIMES,
    rotation,
    reuseIntervalSeconds,
  });

  it.each([
    // What the second presentation of the login's refresh token gets, `gapMs` after the first.
    { rotation: "rotate", gapMs: 0, second: "reused", familyAfter: "revoked" },
    { rotation: "reuse-interval", gapMs: 9_999, second: "replayed", familyAfter: "active" },
    { rotation: "reuse-interval", gapMs: 10_000, second: "reused", familyAfter: "revoked" },
    { rotation: "none", gapMs: 0, second: "renewed", familyAfter: "active" },
    { rotation: "none", gapMs: 599_000, second: "renewed", familyAfter: "active" },
  ] as const)("$rotation, presented again after $gapMs ms: $second", ({ rotation, gapMs, second, familyAfter }) => {
    const clock = fakeClock();
    const store = createTokenStore(clock.now);
    const login = store.login("user-1", LIFETIMES);
    const first = store.rotate(login.refreshToken, at(rotation));
    expect(first.kind).toBe(rotation === "none" ? "renewed" : "rotated");
    clock.advance(gapMs);
    expect(store.rotate(login.refreshToken, at(rotation)).kind).toBe(second);
    expect(store.familyStatus(login.family.id).kind).toBe(familyAfter);
  });

  it("reuse-interval: hands out the very successor of the first rotation, with a new access token", () => {
    const clock = fakeClock();
    const store = createTokenStore(clock.now);
    const login = store.login("user-1", LIFETIMES);
    const first = store.rotate(login.refreshToken, at("reuse-interval"));
    clock.advance(3_000);
    const again = store.rotate(login.refreshToken, at("reuse-interval"));
    if (first.kind !== "rotated" || again.kind !== "replayed") throw new Error(`got ${first.kind}, ${again.kind}`);
    expect(again.refreshToken).toBe(first.refreshToken);
    expect(again.refreshExpiresAt).toBe(first.refreshExpiresAt);
    expect(again.accessExp).toBe(first.accessExp + 3);
    // The successor is still the live token: it rotates normally.
    expect(store.rotate(first.refreshToken, at("reuse-interval")).kind).toBe("rotated");
    expect(store.sizes().refreshTokens).toBe(3);
  });

  it("none: the refresh token keeps working until its own expiry and issues no successor", () => {
    const clock = fakeClock();
    const store = createTokenStore(clock.now);
    const login = store.login("user-1", LIFETIMES);
    for (let index = 0; index < 3; index += 1) {
      const outcome = store.rotate(login.refreshToken, at("none"));
      expect(outcome).toMatchObject({ kind: "renewed", family: { id: login.family.id } });
      expect("refreshToken" in outcome).toBe(false);
    }
    expect(store.sizes().refreshTokens).toBe(1);
    clock.advance(LIFETIMES.refreshTokenTtlSeconds * 1000);
    expect(store.rotate(login.refreshToken, at("none")).kind).toBe("expired");
  });

  it("none: a token consumed under an earlier policy is refused without revoking the family", () => {
    const store = createTokenStore(fakeClock().now);
    const login = store.login("user-1", LIFETIMES);
    store.rotate(login.refreshToken, at("rotate"));
    expect(store.rotate(login.refreshToken, at("none")).kind).toBe("consumed");
    expect(store.familyStatus(login.family.id).kind).toBe("active");
  });
});

describe("clients and sign-out", () => {
  it("refuses a refresh token presented by another client, without consuming it", () => {
    const store = createTokenStore(fakeClock().now);
    const login = store.login("user-1", LIFETIMES, { clientId: "a" });
    expect(store.rotate(login.refreshToken, { ...LIFETIMES, clientId: "b" }).kind).toBe("wrong_client");
    expect(store.rotate(login.refreshToken, LIFETIMES).kind).toBe("wrong_client");
    expect(store.rotate(login.refreshToken, { ...LIFETIMES, clientId: "a" }).kind).toBe("rotated");
  });

  it("revokes a family once; later revocations and refreshes see it revoked", () => {
    const store = createTokenStore(fakeClock().now);
    const login = store.login("user-1", LIFETIMES);
    expect(store.familyOf(login.refreshToken)?.id).toBe(login.family.id);
    expect(store.revokeFamily(login.family.id).kind).toBe("revoked");
    expect(store.revokeFamily(login.family.id).kind).toBe("already");
    expect(store.revokeFamily("no-such-family").kind).toBe("unknown");
    expect(store.rotate(login.refreshToken, LIFETIMES).kind).toBe("revoked");
    expect(store.familyStatus(login.family.id).kind).toBe("revoked");
  });
});
