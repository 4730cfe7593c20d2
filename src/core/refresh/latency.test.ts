import { describe, expect, it } from "vitest";
import { createLatencyEstimate, INITIAL_ESTIMATE_MS, lockTakenAt, pollDelay, reclaimDelay, settleMargin } from "./latency";

describe("the settle-age estimate and the re-claim timing waiters sleep by", () => {
  it("starts from the prior, takes the first observation whole, then averages", () => {
    const estimate = createLatencyEstimate();
    expect(estimate.current()).toBe(INITIAL_ESTIMATE_MS);
    estimate.observe(150);
    expect(estimate.current()).toBe(150);
    estimate.observe(50);
    expect(estimate.current()).toBeCloseTo(120, 5);
  });

  it("ignores nonsense and stays within its bounds, whatever one observation says", () => {
    const estimate = createLatencyEstimate();
    estimate.observe(Number.NaN);
    estimate.observe(-5);
    expect(estimate.current()).toBe(INITIAL_ESTIMATE_MS);
    estimate.observe(1e9);
    expect(estimate.current()).toBe(2_000);
    for (let i = 0; i < 50; i++) estimate.observe(0);
    expect(estimate.current()).toBe(5);
  });

  it("a waiter's one re-claim is sent to land just after the leader's settle; later ones back off up to a cap", () => {
    // Settles land 190 ms into a lock. Our claim went out at 1000 and came back at 1040 (a 40 ms round
    // trip): it ran at 1020, when the lock was 30 ms old, so the lock was taken at 990 and the settle
    // lands at 1180. Margin: 5 + 19 + 10 = 34 ms; sent half a round trip (20 ms) early: at 1194, 154 ms on.
    const busy = { sentAt: 1_000, answeredAt: 1_040 };
    expect(lockTakenAt(busy, 30)).toBe(990);
    expect(settleMargin(190, 40)).toBeCloseTo(34, 5);
    expect(reclaimDelay(busy, 990, 190)).toBeCloseTo(154, 5);
    // A leader already past its expected settle: ask soon, not at once.
    expect(reclaimDelay(busy, 500, 190)).toBe(5);
    // The re-claim came too early: poll from a quarter of the estimate, slower and slower, up to a cap.
    const later = [1, 2, 3, 4, 5, 10, 20].map((attempt) => pollDelay(150, attempt));
    expect(later[0]).toBeCloseTo(37.5, 5);
    for (let i = 1; i < later.length; i++) expect(later[i]).toBeGreaterThanOrEqual(later[i - 1]!);
    expect(later.at(-1)).toBe(200);
  });
});
