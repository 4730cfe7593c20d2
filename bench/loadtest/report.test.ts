// The report's formatting and the targets it judges, from a hand-made run: no app needed.
import { describe, expect, it } from "vitest";
import { ms, renderReport, table } from "./report";
import { checkTargets, failedEnforced } from "./targets";
import type { OutcomeLatency, RunResult, ScenarioResult } from "./types";

const summary = (p50: number, p99: number) => ({ count: 10, p50, p95: p99, p99, max: p99 });
const latency = (outcome: OutcomeLatency["outcome"], clientP99: number, middlewareP99: number): OutcomeLatency => ({
  outcome,
  count: 10,
  client: summary(clientP99 / 2, clientP99),
  middleware: summary(middlewareP99 / 2, middlewareP99),
});

function result(overrides: Partial<ScenarioResult>): ScenarioResult {
  return {
    scenario: { tabs: 20, instances: 3, users: 50 },
    mode: "locked",
    waves: 3,
    expiries: 150,
    requests: 6150,
    succeeded: 6150,
    failed: 0,
    failures: {},
    outcomes: { refreshed: 150, joined: 2850, replayed: 150, valid: 3000 },
    refreshCalls: 150,
    reuseDetections: 0,
    familiesRevoked: 0,
    maxConcurrentRefreshes: 50,
    usersSignedOut: 0,
    storeCommands: 2400,
    stormStoreCommands: 2400,
    durationMs: 10_000,
    latency: [
      latency("valid", 40, 2),
      latency("refreshed", 250, 180),
      latency("joined", 260, 190),
      latency("replayed", 30, 8),
    ],
    failedSamples: [],
    ...overrides,
  };
}

function run(results: ScenarioResult[]): RunResult {
  return {
    startedAt: "2026-01-01T00:00:00.000Z",
    finishedAt: "2026-01-01T00:02:00.000Z",
    machine: { cpus: 2, cpuModel: "Test CPU", node: "v20.0.0", platform: "linux x64", memoryGb: 8, loadAverage: 0.5 },
    settings: {
      target: "local",
      stack: ["local: 3 + 3 instances"],
      waves: 3,
      refreshLatencyMs: 150,
      requestTimeoutMs: 20_000,
      deadlineSeconds: 600,
      commit: "abc1234",
    },
    results,
    charts: [],
    skipped: [],
  };
}

const baseline = result({
  mode: "baseline",
  succeeded: 0,
  failed: 6150,
  failures: { "401 session_expired": 3000, "307 → /login?error=SessionExpired": 3150 },
  refreshCalls: 3150,
  reuseDetections: 3000,
  familiesRevoked: 150,
  usersSignedOut: 150,
  storeCommands: 0,
  stormStoreCommands: 0,
  latency: [],
});

describe("table", () => {
  it("aligns columns and escapes pipes in cells", () => {
    expect(table(["a", "b"], [["x|y", "1"]], "lr")).toBe("| a | b |\n| --- | ---: |\n| x\\|y | 1 |");
  });
});

describe("ms", () => {
  it.each([
    [0.04, "0.0"],
    [9.94, "9.9"],
    [10, "10"],
    [150.6, "151"],
    [Number.NaN, "–"],
  ])("%s → %s", (value, expected) => expect(ms(value)).toBe(expected));
});

describe("renderReport", () => {
  const text = renderReport(run([result({}), baseline]), {
    charts: [{ path: "storm-chart.svg", title: "Requests over time" }],
  });

  it("puts ours beside the baseline, scenario by scenario", () => {
    expect(text).toContain(
      "| 20 tabs × 3 inst × 50 users | 150 | 1.00 | 21.00 | 0 / 6150 | 6150 / 6150 | 0 | 150 | 0 | 3000 |",
    );
  });

  it("shows store commands per refresh, throughput and the outcome mix", () => {
    expect(text).toContain(
      "| 150 (1.00) | 0 | 0 | 0 | 50 | 16.0 | 615 | refreshed 150, joined 2850, replayed 150, valid 3000 |",
    );
  });

  it("counts the late request's replay apart from the storm's commands when they differ", () => {
    const split = renderReport(run([result({ storeCommands: 1050, stormStoreCommands: 900 })]));
    expect(split).toContain("| 7.0 (storm 6.0) |");
  });

  it("lists latency by outcome for ours and says so when the baseline has none", () => {
    expect(text).toContain("| 20 tabs × 3 inst × 50 users | joined | 10 | 130 | 260 | 260 | 95 | 190 | 190 |");
    expect(text).toContain("_No request succeeded, so there is no latency to show._");
  });

  it("groups failures by reason and embeds the chart", () => {
    expect(text).toContain("| 20 tabs × 3 inst × 50 users | baseline (no lock) | 401 session_expired | 3000 |");
    expect(text).toContain("![Requests over time](storm-chart.svg)");
  });

  it("leaves the comparison out without a baseline and marks an incomplete scenario", () => {
    const alone = renderReport(run([result({ incomplete: "deadline reached after 1 of 3 waves" })]));
    expect(alone).not.toContain("Ours beside the unlocked baseline");
    expect(alone).toContain("⚠ deadline reached after 1 of 3 waves");
  });
});

describe("checkTargets", () => {
  it("passes a clean run and reports latency against the backend latency", () => {
    const checks = checkTargets(run([result({}), baseline]));
    expect(checks.map((check) => check.met)).toEqual([true, true, true, true, true]);
    expect(failedEnforced(checks)).toBe(false);
  });

  it("fails the run on a second refresh call, a failed request or a reuse, but not on latency", () => {
    expect(failedEnforced(checkTargets(run([result({ refreshCalls: 151 })])))).toBe(true);
    expect(failedEnforced(checkTargets(run([result({ failed: 1, succeeded: 6149 })])))).toBe(true);
    expect(failedEnforced(checkTargets(run([result({ reuseDetections: 1 })])))).toBe(true);
    const slow = checkTargets(run([result({ latency: [latency("joined", 900, 400), latency("replayed", 90, 45)] })]));
    expect(slow.slice(3).map((check) => check.met)).toEqual([false, false]);
    expect(failedEnforced(slow)).toBe(false);
  });

  it("cannot judge what it cannot see", () => {
    const blind = checkTargets(run([result({ refreshCalls: null, reuseDetections: null, latency: [] })]));
    expect(blind.map((check) => check.met)).toEqual([null, true, null, null, null]);
  });
});
