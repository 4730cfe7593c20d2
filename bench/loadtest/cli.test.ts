// The command line: defaults, the scenario syntax and its bounds, the remote options sent to the engine's CLI.
import { describe, expect, it } from "vitest";
import { CliError, DEFAULT_SCENARIOS, parseCli, parseScenarios, QUICK_SCENARIOS } from "./cli";

function problems(argv: string[]): readonly string[] {
  try {
    parseCli(argv);
  } catch (error) {
    if (error instanceof CliError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseCli", () => {
  it("defaults to the full local matrix with the baseline, 3 waves and 150 ms refresh latency", () => {
    expect(parseCli([])).toMatchObject({
      scenarios: DEFAULT_SCENARIOS,
      defaultMatrix: true,
      waves: 3,
      baseline: true,
      refreshLatencyMs: 150,
      build: true,
      outDir: "bench/results",
    });
  });

  it("--quick is a small matrix with fewer waves, and not the docs' matrix", () => {
    expect(parseCli(["--quick"])).toMatchObject({ scenarios: QUICK_SCENARIOS, defaultMatrix: false, waves: 2 });
  });

  it("takes values after a space or an equals sign", () => {
    expect(parseCli(["--scenarios", "200x3x1", "--waves=2", "--out=/tmp/x"])).toMatchObject({
      scenarios: [{ tabs: 200, instances: 3, users: 1 }],
      waves: 2,
      outDir: "/tmp/x",
    });
  });

  it("--store-latency-ms sets the bridge's simulated round trip, 0 by default, local runs only", () => {
    expect(parseCli([])).toMatchObject({ storeLatencyMs: 0 });
    expect(parseCli(["--store-latency-ms", "40"])).toMatchObject({ storeLatencyMs: 40 });
    expect(problems(["--store-latency-ms", "-1"])).toEqual([
      '--store-latency-ms must be a whole number from 0 to 10000, got "-1"',
    ]);
  });

  it("--store picks the local lock store, upstash by default; the bridge's latency only with upstash, local runs only", () => {
    expect(parseCli([])).toMatchObject({ store: "upstash" });
    expect(parseCli(["--store", "redis"])).toMatchObject({ store: "redis" });
    expect(parseCli(["--store=redis-cluster", "--quick"])).toMatchObject({
      store: "redis-cluster",
      scenarios: QUICK_SCENARIOS,
    });
    expect(problems(["--store", "memcached"])).toEqual([
      '--store must be one of upstash, redis, redis-cluster, got "memcached"',
    ]);
    expect(problems(["--store", "redis", "--store-latency-ms", "40"])).toEqual([
      "--store-latency-ms is the Upstash-REST bridge's: only with --store upstash",
    ]);
  });

  it("reports every problem at once", () => {
    expect(problems(["--waves", "0", "--bogus", "--timeout-ms"])).toEqual([
      "unknown option --bogus",
      "--timeout-ms needs a value",
      '--waves must be a whole number from 1 to 20, got "0"',
    ]);
  });

  it("sends deployments you run yourself to the engine's CLI: the remote options are gone, each named", () => {
    const remote = problems(["--target", "https://app.example", "--user=u", "--secret", "s"]);
    expect(remote).toHaveLength(3);
    expect(remote.every((problem) => problem.includes("edge-session-refresh-loadtest"))).toBe(true);
    expect(remote.map((problem) => problem.split(":")[0])).toEqual(["--target", "--user", "--secret"]);
  });
});

describe("parseScenarios", () => {
  it("reads TABSxINSTANCESxUSERS lists", () => {
    expect(parseScenarios("1x1x1, 20×3×50")).toEqual({
      scenarios: [
        { tabs: 1, instances: 1, users: 1 },
        { tabs: 20, instances: 3, users: 50 },
      ],
    });
  });

  it("refuses malformed, empty and oversized scenarios", () => {
    expect(parseScenarios("20x3")).toEqual({
      problems: ['scenario "20x3" is not TABSxINSTANCESxUSERS (e.g. 200x3x1)'],
    });
    expect(parseScenarios("0x1x1")).toEqual({ problems: ["scenario 0x1x1: every count must be at least 1"] });
    expect(parseScenarios("200x3x100")).toEqual({
      problems: ["scenario 200x3x100: 40100 requests per wave, more than 20000"],
    });
    expect(parseScenarios(",")).toEqual({ problems: ["--scenarios lists no scenario"] });
  });
});
