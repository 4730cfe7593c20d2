/**
 * Thresholds: `METRIC OP NUMBER` (k6's syntax, e.g. `p95<2000`, `served>=0.99`, `signedOut==0`), each
 * deciding the exit code. Defaults hold a run to the contract (every request served, nobody signed out, at
 * most one refresh per account and expiry) and every account signing in; a threshold given on a metric replaces that metric's default.
 */

/** The metrics a threshold can name, and what each measures. */
export const METRICS = {
  served: "share of requests served (2xx), 0..1",
  failed: "share of requests failed (not 2xx, 401, sign-in redirect or 503), 0..1",
  unavailable: "share of requests answered 503, 0..1",
  signedOut: "accounts that lost their session (count)",
  signInFailures: "sign-ins that failed (count)",
  refreshedPerExpiry:
    "most `refreshed` outcomes of one account at one expiry (only where the app reports Server-Timing)",
  p50: "client latency of answered requests, ms",
  p95: "client latency of answered requests, ms",
  p99: "client latency of answered requests, ms",
  max: "client latency of answered requests, ms",
} as const;
export type Metric = keyof typeof METRICS;

type Operator = "<=" | ">=" | "==" | "<" | ">";

export interface Threshold {
  readonly metric: Metric;
  readonly operator: Operator;
  readonly value: number;
  /** As written (normalised): `p95<2000`. */
  readonly expression: string;
  /** A default the run was held to, not one given on the command line. */
  readonly isDefault: boolean;
}

export const DEFAULT_THRESHOLDS: readonly string[] = [
  "served>=1",
  "signedOut==0",
  "refreshedPerExpiry<=1",
  "signInFailures==0",
];

/** `p95<2000` → a threshold, or a problem naming what is wrong. */
export function parseThreshold(text: string, isDefault = false): Threshold | { problem: string } {
  const match = /^\s*([A-Za-z0-9]+)\s*(<=|>=|==|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match)
    return { problem: `--threshold ${JSON.stringify(text)} is not METRIC OP NUMBER (e.g. "p95<2000", "served>=0.99")` };
  const metric = match[1]!;
  if (!(metric in METRICS))
    return {
      problem: `--threshold ${JSON.stringify(text)}: unknown metric ${metric} (one of ${Object.keys(METRICS).join(", ")})`,
    };
  const operator = match[2] as Operator;
  const value = Number(match[3]);
  return { metric: metric as Metric, operator, value, expression: `${metric}${operator}${value}`, isDefault };
}

/** The defaults, with any metric the given thresholds name replaced by them. */
export function withDefaults(given: readonly Threshold[]): Threshold[] {
  const named = new Set(given.map((threshold) => threshold.metric));
  const defaults = DEFAULT_THRESHOLDS.map((text) => parseThreshold(text, true) as Threshold).filter(
    (threshold) => !named.has(threshold.metric),
  );
  return [...defaults, ...given];
}

export interface ThresholdResult {
  readonly expression: string;
  readonly metric: Metric;
  /** The measured value; null when the run could not measure it (then it holds: nothing to judge). */
  readonly actual: number | null;
  readonly holds: boolean;
  readonly isDefault: boolean;
}

export function evaluate(
  thresholds: readonly Threshold[],
  metrics: Readonly<Record<Metric, number | null>>,
): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const actual = metrics[threshold.metric];
    const holds = actual === null || Number.isNaN(actual) ? true : compare(actual, threshold.operator, threshold.value);
    return {
      expression: threshold.expression,
      metric: threshold.metric,
      actual: actual !== null && Number.isNaN(actual) ? null : actual,
      holds,
      isDefault: threshold.isDefault,
    };
  });
}

function compare(actual: number, operator: Operator, value: number): boolean {
  switch (operator) {
    case "<":
      return actual < value;
    case "<=":
      return actual <= value;
    case ">":
      return actual > value;
    case ">=":
      return actual >= value;
    case "==":
      return actual === value;
  }
}
