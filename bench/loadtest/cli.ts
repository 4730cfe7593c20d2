/**
 * The command line of `npm run loadtest` (the local stack), and the scenario matrices. Pure: argv in,
 * options out, every problem reported at once. Deployments you run yourself are load-tested with the
 * engine's own CLI, `npx edge-session-refresh-loadtest` (packages/loadtest).
 */
import { requestsPerWave, type Scenario } from "./types";

/** 200 tabs of one user on 3 instances, 50 users at once, and 20 tabs each of 50 users: ~2-3 minutes on 2 cores. */
export const DEFAULT_SCENARIOS: readonly Scenario[] = [
  { tabs: 1, instances: 1, users: 1 },
  { tabs: 20, instances: 1, users: 1 },
  { tabs: 20, instances: 3, users: 1 },
  { tabs: 200, instances: 1, users: 1 },
  { tabs: 200, instances: 3, users: 1 },
  { tabs: 1, instances: 3, users: 50 },
  { tabs: 20, instances: 1, users: 50 },
  { tabs: 20, instances: 3, users: 50 },
];
export const QUICK_SCENARIOS: readonly Scenario[] = [
  { tabs: 1, instances: 1, users: 1 },
  { tabs: 20, instances: 3, users: 1 },
  { tabs: 5, instances: 3, users: 10 },
];
export const DEFAULT_WAVES = 3;
export const QUICK_WAVES = 2;
/** A wave bigger than this is a typo, not a load test for one machine. */
export const MAX_REQUESTS_PER_WAVE = 20_000;

/** The remote mode's options of old: now the engine's CLI's. */
const REMOTE_OPTIONS = new Set([
  "--target",
  "--baseline-target",
  "--user",
  "--password",
  "--secret",
  "--backend-stats",
]);

/** The lock store the local stack gives the app: Upstash REST (the bridge), or Redis over TCP on the Node proxy. */
export const LOAD_TEST_STORES = ["upstash", "redis", "redis-cluster"] as const;
export type LoadTestStore = (typeof LOAD_TEST_STORES)[number];

export interface CliOptions {
  readonly scenarios: readonly Scenario[];
  /** True when the matrix is the default one (the docs chart is only rewritten from such a run). */
  readonly defaultMatrix: boolean;
  readonly waves: number;
  readonly baseline: boolean;
  readonly outDir: string;
  readonly refreshLatencyMs: number;
  /** The local stack's lock store; the redis kinds run the Node-proxy variant of the app. */
  readonly store: LoadTestStore;
  /** A simulated lock-store round trip, added by the local Upstash-REST bridge (0: none). */
  readonly storeLatencyMs: number;
  readonly timeoutMs: number;
  readonly deadlineSeconds: number;
  readonly build: boolean;
  readonly help: boolean;
}

export const USAGE = `npm run loadtest -- [options]

  --quick                  a small matrix (${QUICK_SCENARIOS.map(formatScenario).join(", ")}), ${QUICK_WAVES} waves
  --scenarios LIST         tabs x instances x users, comma-separated, e.g. 200x3x1,20x3x50
  --waves N                expiries per scenario (default ${DEFAULT_WAVES})
  --no-baseline            skip the unlocked baseline
  --refresh-latency-ms N   the reference backend's refresh latency (default 150)
  --store KIND             the local lock store: upstash (default; the Upstash-REST bridge over a Redis),
                           redis (REDIS_URL) or redis-cluster (REDIS_CLUSTER_NODES, a 3-master cluster);
                           the redis kinds run the Node-proxy variant of the app (Redis over TCP)
  --store-latency-ms N     a simulated lock-store round trip: the local bridge answers each request N ms
                           later (default 0), like an Upstash region away from the app
  --timeout-ms N           per request (default 20000)
  --deadline-seconds N     for the whole run, startup included (default 600)
  --no-build               use the existing .next build as it is
  --out DIR                where reports go (default bench/results)

Needs redis-server on PATH (or REDIS_URL). Your own deployments: npx edge-session-refresh-loadtest --help
(packages/loadtest/README.md).

Exit code: 0 when the locked mode made at most one refresh call per expiry, had no failed request and no
reuse detection; 1 otherwise; 2 when the run was incomplete (deadline, setup); 64 for bad options.`;

export class CliError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid options:\n  - ${problems.join("\n  - ")}\n\n${USAGE}`);
    this.name = "CliError";
  }
}

export function parseCli(argv: readonly string[]): CliOptions {
  const problems: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const valued = new Set([
    "--scenarios",
    "--waves",
    "--out",
    "--refresh-latency-ms",
    "--store",
    "--store-latency-ms",
    "--timeout-ms",
    "--deadline-seconds",
  ]);
  const switches = new Set(["--quick", "--no-baseline", "--no-build", "--help", "-h"]);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    if (switches.has(name)) flags.add(name);
    else if (valued.has(name)) {
      const value = eq > 0 && arg.startsWith("--") ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined || value === "") problems.push(`${name} needs a value`);
      else values.set(name, value);
    } else if (REMOTE_OPTIONS.has(name)) {
      problems.push(
        `${name}: deployments you run yourself are load-tested with npx edge-session-refresh-loadtest (packages/loadtest)`,
      );
      if (!arg.includes("=")) i++;
    } else problems.push(`unknown option ${arg}`);
  }

  const number = (name: string, fallback: number, min: number, max: number): number => {
    const text = values.get(name);
    if (text === undefined) return fallback;
    const parsed = Number(text);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
      return fallback;
    }
    return parsed;
  };
  const quick = flags.has("--quick");
  let scenarios = quick ? QUICK_SCENARIOS : DEFAULT_SCENARIOS;
  if (values.has("--scenarios")) {
    const parsed = parseScenarios(values.get("--scenarios")!);
    if ("problems" in parsed) problems.push(...parsed.problems);
    else scenarios = parsed.scenarios;
  }
  const store = values.get("--store") ?? "upstash";
  if (!(LOAD_TEST_STORES as readonly string[]).includes(store))
    problems.push(`--store must be one of ${LOAD_TEST_STORES.join(", ")}, got ${JSON.stringify(store)}`);
  if (store !== "upstash" && values.has("--store-latency-ms"))
    problems.push("--store-latency-ms is the Upstash-REST bridge's: only with --store upstash");
  const options: CliOptions = {
    scenarios,
    defaultMatrix: !quick && !values.has("--scenarios") && !values.has("--store"),
    waves: number("--waves", quick ? QUICK_WAVES : DEFAULT_WAVES, 1, 20),
    baseline: !flags.has("--no-baseline"),
    outDir: values.get("--out") ?? "bench/results",
    refreshLatencyMs: number("--refresh-latency-ms", 150, 0, 10_000),
    store: (LOAD_TEST_STORES as readonly string[]).includes(store) ? (store as LoadTestStore) : "upstash",
    storeLatencyMs: number("--store-latency-ms", 0, 0, 10_000),
    timeoutMs: number("--timeout-ms", 20_000, 100, 300_000),
    deadlineSeconds: number("--deadline-seconds", 600, 10, 24 * 3600),
    build: !flags.has("--no-build"),
    help: flags.has("--help") || flags.has("-h"),
  };
  if (problems.length > 0) throw new CliError(problems);
  return options;
}

/** `200x3x1,20x3x50` → scenarios (tabs × instances × users), each bounded by MAX_REQUESTS_PER_WAVE. */
export function parseScenarios(text: string): { scenarios: Scenario[] } | { problems: string[] } {
  const problems: string[] = [];
  const scenarios: Scenario[] = [];
  for (const part of text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)) {
    const match = /^(\d+)\s*[x×]\s*(\d+)\s*[x×]\s*(\d+)$/.exec(part);
    if (!match) {
      problems.push(`scenario ${JSON.stringify(part)} is not TABSxINSTANCESxUSERS (e.g. 200x3x1)`);
      continue;
    }
    const scenario = { tabs: Number(match[1]), instances: Number(match[2]), users: Number(match[3]) };
    if (scenario.tabs < 1 || scenario.instances < 1 || scenario.users < 1)
      problems.push(`scenario ${part}: every count must be at least 1`);
    else if (scenario.instances > 16) problems.push(`scenario ${part}: at most 16 instances`);
    else if (requestsPerWave(scenario) > MAX_REQUESTS_PER_WAVE) {
      problems.push(
        `scenario ${part}: ${requestsPerWave(scenario)} requests per wave, more than ${MAX_REQUESTS_PER_WAVE}`,
      );
    } else scenarios.push(scenario);
  }
  if (problems.length === 0 && scenarios.length === 0) problems.push("--scenarios lists no scenario");
  return problems.length > 0 ? { problems } : { scenarios };
}

export function formatScenario(scenario: Scenario): string {
  return `${scenario.tabs}x${scenario.instances}x${scenario.users}`;
}
