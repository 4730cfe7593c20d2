import { describe, expect, it } from "vitest";
import { refreshDue, refreshDueThresholdMs } from "../session/claims";
import {
  defaultRefreshAheadMs,
  MAX_REFRESH_AHEAD_COST,
  MIN_REFRESH_AHEAD_MS,
  refreshAheadDue,
  refreshAheadThresholdMs,
  refreshAheadWindowMs,
} from "./refresh-ahead";

const S = 1000;
/** A token received at 0 that expires at `lifetime`. */
const token = (lifetimeMs: number) => ({
  accessToken: "a",
  refreshToken: "r",
  accessTokenExpires: lifetimeMs,
  accessTokenReceivedAt: 0,
});

describe("refresh ahead: how early a marked request may refresh", () => {
  it.each([
    // lifetime, skew, ahead, threshold (ms before expiry)
    // 5-minute tokens, 30 s skew: the ahead window capped by its cost, (300 − 30) × 0.05 / 1.05 = 12.857 s
    { lifetime: 300 * S, skew: 30 * S, ahead: 15 * S, threshold: 42_857 },
    // a narrower setting wins
    { lifetime: 300 * S, skew: 30 * S, ahead: 10 * S, threshold: 40 * S },
    // 10 s tokens: the cost cap (0.29 s) is below the floor of 1 s
    { lifetime: 10 * S, skew: 4 * S, ahead: 2 * S, threshold: 5 * S },
    // skew capped at half the lifetime (as refreshDue), ahead at the floor
    { lifetime: 10 * S, skew: 30 * S, ahead: 15 * S, threshold: 6 * S },
    // ahead at a quarter of the lifetime, below the floor
    { lifetime: 2 * S, skew: 0, ahead: 15 * S, threshold: 0.5 * S },
    { lifetime: 60 * S, skew: 4 * S, ahead: 3600 * S, threshold: 6_666 },
    // a negative ahead is no ahead
    { lifetime: 60 * S, skew: 4 * S, ahead: -5 * S, threshold: 4 * S },
    { lifetime: 0, skew: 4 * S, ahead: 2 * S, threshold: 0 },
  ])(
    "lifetime $lifetime ms, skew $skew, ahead $ahead → $threshold ms before expiry",
    ({ lifetime, skew, ahead, threshold }) => {
      expect(refreshAheadThresholdMs(token(lifetime), skew, ahead)).toBe(threshold);
      expect(refreshAheadDue(token(lifetime), lifetime - threshold, skew, ahead)).toBe(true);
      expect(refreshAheadDue(token(lifetime), lifetime - threshold - 1, skew, ahead)).toBe(false);
    },
  );

  it("a token without its receipt time: skew plus the whole ahead window", () => {
    const { accessTokenReceivedAt: _, ...unknownLifetime } = token(300 * S);
    expect(refreshAheadThresholdMs(unknownLifetime, 30 * S, 15 * S)).toBe(45 * S);
  });

  it("whenever an ordinary request would refresh, a marked one does too", () => {
    for (const lifetime of [0, 1, 999, 10 * S, 300 * S])
      for (const skew of [0, 1 * S, 4 * S, 30 * S])
        for (let now = -1 * S; now <= lifetime + S; now += 250)
          if (refreshDue(token(lifetime), now, skew))
            expect(refreshAheadDue(token(lifetime), now, skew, defaultRefreshAheadMs(skew))).toBe(true);
  });

  it("a fresh token is outside the ahead window for at least a quarter of its lifetime, whatever the settings", () => {
    for (const lifetime of [1 * S, 10 * S, 300 * S])
      for (const skew of [0, 4 * S, 30 * S, 3600 * S])
        for (const ahead of [0, 2 * S, 3600 * S])
          expect(lifetime - refreshAheadThresholdMs(token(lifetime), skew, ahead)).toBeGreaterThanOrEqual(lifetime / 4);
  });

  it("a marked request costs at most 5% more backend refreshes than none, whoever sends it, wherever the 1 s floor does not decide", () => {
    for (const lifetime of [30 * S, 60 * S, 300 * S, 3600 * S, 86_400 * S])
      for (const skew of [0, 4 * S, 30 * S, 3600 * S])
        for (const ahead of [2 * S, 30 * S, 3600 * S]) {
          const usedWithout = lifetime - refreshDueThresholdMs(token(lifetime), skew);
          if (refreshAheadWindowMs(token(lifetime), skew, ahead) <= MIN_REFRESH_AHEAD_MS) continue;
          // Refreshed the moment the window opens: the token used for lifetime − threshold instead.
          const usedWith = lifetime - refreshAheadThresholdMs(token(lifetime), skew, ahead);
          // usedWithout / usedWith ≤ 1.05, in whole milliseconds (the cap can meet it exactly).
          expect(usedWithout * 100).toBeLessThanOrEqual(usedWith * (100 + MAX_REFRESH_AHEAD_COST * 100));
        }
    expect(MAX_REFRESH_AHEAD_COST).toBe(0.05);
  });

  it("the default ahead window is the skew", () => {
    expect(defaultRefreshAheadMs(30 * S)).toBe(30 * S);
    expect(defaultRefreshAheadMs(0)).toBe(0);
  });
});
