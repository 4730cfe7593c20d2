// The chart's arithmetic (buckets, axis steps) and that its SVG carries what a reader needs.
import { describe, expect, it } from "vitest";
import { bucketize, niceStep, renderLatencyChart, renderStormChart, seriesKey } from "./chart";
import type { Sample } from "./types";

function sample(outcome: Sample["outcome"], endMs: number, ok = true): Sample {
  return {
    account: 0,
    tab: 0,
    target: 0,
    phase: "storm",
    expiry: 1,
    path: "/dashboard",
    startMs: 0,
    endMs,
    status: ok ? 200 : 401,
    verdict: ok ? "served" : "signed-out",
    outcome,
    middlewareMs: 1,
    ok,
  };
}

describe("bucketize", () => {
  it("counts completions per 50 ms bucket and series; failures go to `failed` whatever their outcome", () => {
    const counts = bucketize(
      [
        sample("refreshed", 10),
        sample("joined", 49.9),
        sample("joined", 50),
        sample("valid", 120, false),
        sample("anonymous", 130),
      ],
      50,
      3,
    );
    expect(counts.refreshed).toEqual([1, 0, 0]);
    expect(counts.joined).toEqual([1, 1, 0]);
    expect(counts.failed).toEqual([0, 0, 1]);
    expect(counts.other).toEqual([0, 0, 1]);
  });

  it("keeps a late straggler in the last bucket", () => {
    expect(bucketize([sample("valid", 10_000)], 50, 2).valid).toEqual([0, 1]);
  });

  it("seriesKey puts unknown successful outcomes under `other`", () => {
    expect(seriesKey(sample("replayed", 1))).toBe("replayed");
    expect(seriesKey(sample("none", 1))).toBe("other");
  });
});

describe("niceStep", () => {
  it.each([
    [40, 4, 10],
    [37, 4, 10],
    [1450, 10, 200],
    [3, 4, 1],
    [0, 4, 1],
  ])("max %s, %s ticks → %s", (max, ticks, expected) => expect(niceStep(max, ticks)).toBe(expected));
});

describe("renderStormChart", () => {
  it("draws one panel per run with its label and note, the legend and the phase markers", () => {
    const svg = renderStormChart({
      title: "Session refresh storm: 200 tabs × 3 inst × 1 user, first expiry",
      panels: [
        {
          label: "Ours: Redis lock + successor cache",
          samples: [
            sample("refreshed", 160),
            sample("joined", 170),
            { ...sample("valid", 300), phase: "follow-up", startMs: 250 },
          ],
          note: "1 backend refresh call · 0 of 3 requests failed",
        },
        {
          label: "Baseline: no lock",
          samples: [sample("rejected", 160, false)],
          note: "200 backend refresh calls & more",
        },
      ],
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("200 tabs × 3 inst × 1 user");
    expect(svg).toContain("Ours: Redis lock + successor cache");
    expect(svg).toContain("Baseline: no lock");
    expect(svg).toContain("1 backend refresh call · 0 of 3 requests failed");
    expect(svg).toContain("200 backend refresh calls &amp; more");
    expect(svg).toContain("follow-up →");
    expect(svg).not.toContain("NaN");
    expect(svg.match(/<svg/g)).toHaveLength(1);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
  });
});

describe("renderLatencyChart", () => {
  it("draws a row per outcome with its count, and says so when nothing worked", () => {
    const summary = { count: 3, p50: 10, p95: 40, p99: 90, max: 90 };
    const svg = renderLatencyChart("Latency", [{ outcome: "joined", count: 3, client: summary, middleware: summary }]);
    expect(svg).toContain("joined (3)");
    expect(svg).not.toContain("NaN");
    expect(renderLatencyChart("Latency", [])).toContain("No request worked");
  });
});
