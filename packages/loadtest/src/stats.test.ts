// Percentiles are nearest-rank (never interpolated) and latency is grouped by outcome, failures left out.
import { describe, expect, it } from "vitest";
import { countBy, latencyByOutcome, percentile, summarize } from "./stats";
import type { Sample } from "./types";

function sample(outcome: Sample["outcome"], ms: number, overrides: Partial<Sample> = {}): Sample {
  return {
    account: 0,
    tab: 0,
    target: 0,
    phase: "storm",
    expiry: 1,
    path: "/api/profile",
    startMs: 0,
    endMs: ms,
    status: 200,
    verdict: "served",
    outcome,
    middlewareMs: ms / 2,
    ok: true,
    ...overrides,
  };
}

describe("percentile", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  it.each([
    [50, 50],
    [95, 95],
    [99, 99],
    [100, 100],
    [0, 1],
    [0.5, 1],
  ])("p%s of 1..100 is %s", (p, expected) => {
    expect(percentile(hundred, p)).toBe(expected);
  });

  it("takes a value that occurred, never an interpolation", () => {
    expect(percentile([10, 20], 50)).toBe(10);
    expect(percentile([10, 20], 51)).toBe(20);
    expect(percentile([7], 99)).toBe(7);
  });

  it("is NaN with no values", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(summarize([]).max).toBeNaN();
  });

  it("summarize sorts a copy and leaves its input alone", () => {
    const values = [5, 1, 4, 2, 3];
    expect(summarize(values)).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5 });
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });
});

describe("latencyByOutcome", () => {
  it("groups successful requests by outcome in contract order and leaves failures out", () => {
    const rows = latencyByOutcome([
      sample("joined", 200),
      sample("valid", 10),
      sample("joined", 180),
      sample("refreshed", 170),
      sample("rejected", 5, { ok: false, status: 401, failure: "401 session_expired" }),
      sample("valid", 12, { middlewareMs: null }),
    ]);
    expect(rows.map((row) => [row.outcome, row.count])).toEqual([
      ["valid", 2],
      ["refreshed", 1],
      ["joined", 2],
    ]);
    const joined = rows.find((row) => row.outcome === "joined")!;
    expect(joined.client).toMatchObject({ p50: 180, p99: 200 });
    expect(joined.middleware).toMatchObject({ p50: 90, p99: 100 });
    // A response without Server-Timing still counts for the client side.
    expect(rows[0]!.middleware.count).toBe(1);
    expect(rows[0]!.client.count).toBe(2);
  });
});

describe("countBy", () => {
  it("counts keys in first-seen order and skips undefined", () => {
    expect(countBy(["b", "a", "b", undefined], (x) => x)).toEqual({ b: 2, a: 1 });
    expect(Object.keys(countBy(["b", "a"], (x) => x))).toEqual(["b", "a"]);
  });
});
