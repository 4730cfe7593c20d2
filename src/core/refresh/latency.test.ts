import { describe, expect, it } from "vitest";
import { createLatencyEstimate, INITIAL_ESTIMATE_MS } from "./latency";

describe("the refresh-latency estimate waiters sleep by", () => {
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

  it("a waiter's first sleep ends just after the leader should finish; later ones back off up to a cap", () => {
    const estimate = createLatencyEstimate();
    estimate.observe(150);
    // The lock is 40 ms old: the leader needs about 110 ms more; a 15 ms margin (a tenth) on top.
    expect(estimate.nextWait(40, 0)).toBe(125);
    // A leader already late: ask again soon, then less and less often.
    const later = [1, 2, 3, 4, 5, 10, 20].map((attempt) => estimate.nextWait(500, attempt));
    expect(later[0]).toBeCloseTo(37.5, 5);
    for (let i = 1; i < later.length; i++) expect(later[i]).toBeGreaterThanOrEqual(later[i - 1]!);
    expect(later.at(-1)).toBe(200);
  });
});
