import { describe, expect, it } from "vitest";
import { refreshDue } from "../session/claims";
import { defaultRefreshAheadMs, refreshAheadDue, refreshAheadThresholdMs } from "./refresh-ahead";

const S = 1000;
/** A token received at 0 that expires at `lifetime`. */
const token = (lifetimeMs: number) => ({ accessToken: "a", refreshToken: "r", accessTokenExpires: lifetimeMs, accessTokenReceivedAt: 0 });

describe("refresh ahead: how early a marked request may refresh", () => {
  it.each([
    // lifetime, skew, ahead, threshold (ms before expiry)
    { lifetime: 300 * S, skew: 30 * S, ahead: 15 * S, threshold: 45 * S },
    { lifetime: 10 * S, skew: 4 * S, ahead: 2 * S, threshold: 6 * S },
    // skew capped at half the lifetime (as refreshDue), ahead at a quarter
    { lifetime: 10 * S, skew: 30 * S, ahead: 15 * S, threshold: 7.5 * S },
    { lifetime: 60 * S, skew: 4 * S, ahead: 3600 * S, threshold: 19 * S },
    // a negative ahead is no ahead
    { lifetime: 60 * S, skew: 4 * S, ahead: -5 * S, threshold: 4 * S },
    { lifetime: 0, skew: 4 * S, ahead: 2 * S, threshold: 0 },
  ])("lifetime $lifetime ms, skew $skew, ahead $ahead → $threshold ms before expiry", ({ lifetime, skew, ahead, threshold }) => {
    expect(refreshAheadThresholdMs(token(lifetime), skew, ahead)).toBe(threshold);
    expect(refreshAheadDue(token(lifetime), lifetime - threshold, skew, ahead)).toBe(true);
    expect(refreshAheadDue(token(lifetime), lifetime - threshold - 1, skew, ahead)).toBe(false);
  });

  it("a token without its receipt time: skew plus the whole ahead window", () => {
    const { accessTokenReceivedAt: _, ...unknownLifetime } = token(300 * S);
    expect(refreshAheadThresholdMs(unknownLifetime, 30 * S, 15 * S)).toBe(45 * S);
  });

  it("whenever an ordinary request would refresh, a marked one does too", () => {
    for (const lifetime of [0, 1, 999, 10 * S, 300 * S])
      for (const skew of [0, 1 * S, 4 * S, 30 * S])
        for (let now = -1 * S; now <= lifetime + S; now += 250)
          if (refreshDue(token(lifetime), now, skew)) expect(refreshAheadDue(token(lifetime), now, skew, defaultRefreshAheadMs(skew))).toBe(true);
  });

  it("a fresh token is outside the ahead window for at least a quarter of its lifetime, whatever the settings", () => {
    for (const lifetime of [1 * S, 10 * S, 300 * S])
      for (const skew of [0, 4 * S, 30 * S, 3600 * S])
        for (const ahead of [0, 2 * S, 3600 * S]) expect(lifetime - refreshAheadThresholdMs(token(lifetime), skew, ahead)).toBeGreaterThanOrEqual(lifetime / 4);
  });

  it("the default ahead window is the skew", () => {
    expect(defaultRefreshAheadMs(30 * S)).toBe(30 * S);
    expect(defaultRefreshAheadMs(0)).toBe(0);
  });
});
