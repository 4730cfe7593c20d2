import { describe, expect, it } from "vitest";
import { slidingWindowVerdict, type LimitRule } from "./attempt-limiter";

const rule: LimitRule = { max: 5, windowMs: 60_000 };
const start = 60_000 * 100; // the first instant of a window

describe("slidingWindowVerdict: (time in window, this window's count, previous window's count) → verdict", () => {
  it.each([
    // at, current, previous, allowed
    ["window start, nothing counted", start, 0, 0, true],
    ["window start, 4 here", start, 4, 0, true],
    ["window start, 5 here", start, 5, 0, false],
    ["window start, 5 in the previous (weight 1)", start, 0, 5, false],
    ["a quarter in, 5 in the previous (weight .75 → 3) + 1 here", start + 15_000, 1, 5, true],
    ["a quarter in, 5 in the previous (→ 3) + 2 here", start + 15_000, 2, 5, false],
    ["just past the start, 5 in the previous (weight < 1 floors to 4)", start + 1, 0, 5, true],
    ["last instant, 4 in the previous (weight ~0) + 4 here", start + 59_999, 4, 4, true],
  ] as const)("%s", (_name, at, current, previous, allowed) => {
    expect(slidingWindowVerdict(rule, at, current, previous).allowed).toBe(allowed);
  });

  it("a refusal ends just past the current window's end, whatever the counts", () => {
    expect(slidingWindowVerdict(rule, start + 10_000, 5, 0).retryAfterMs).toBe(50_000);
    expect(slidingWindowVerdict(rule, start + 10_000, 0, 6).retryAfterMs).toBe(50_000);
    // …and then the same counts, moved one window on, are allowed: the wait told is true.
    expect(slidingWindowVerdict(rule, start + 60_001, 0, 5).allowed).toBe(true);
  });
});
