/**
 * The targets the load test holds the locked mode to. The first three decide the exit code (they are
 * correctness: one refresh per expiry, nobody fails, nobody is signed out by reuse); the latency ones are
 * reported, never enforced, since timing depends on the machine.
 */
import type { RunResult, ScenarioResult } from "./types";

/** Budget of a `joined` request on top of the backend's own refresh latency. */
export const JOINED_BUDGET_MS = 50;
/** A `replayed` request only reads the stored successor: one lock-store round trip on loopback. */
export const REPLAYED_BUDGET_MS = 20;

export interface TargetCheck {
  readonly target: string;
  /** null: could not be judged (no data). */
  readonly met: boolean | null;
  readonly detail: string;
  /** Whether a miss fails the run (exit code 1). */
  readonly enforced: boolean;
}

export function checkTargets(run: RunResult): TargetCheck[] {
  const ours = run.results.filter((result) => result.mode === "locked");
  const checks: TargetCheck[] = [];

  const perExpiry = ours.filter((result) => result.refreshCalls !== null && result.expiries > 0);
  const worst = maxBy(perExpiry, (result) => result.refreshCalls! / result.expiries);
  checks.push({
    target: "backend refresh calls per expiry = 1",
    met: perExpiry.length === 0 ? null : perExpiry.every((result) => result.refreshCalls! <= result.expiries),
    detail:
      perExpiry.length === 0
        ? "backend counters not readable (--backend-stats)"
        : `highest ${ratio(worst!.refreshCalls!, worst!.expiries)} (${worst!.refreshCalls} calls for ${worst!.expiries} expiries)`,
    enforced: true,
  });

  const failed = sum(ours, (result) => result.failed);
  const requests = sum(ours, (result) => result.requests);
  checks.push({
    target: "0 failed requests",
    met: ours.length === 0 ? null : failed === 0,
    detail: `${failed} of ${requests}`,
    enforced: true,
  });

  const withReuse = ours.filter((result) => result.reuseDetections !== null);
  const reuse = sum(withReuse, (result) => result.reuseDetections!);
  checks.push({
    target: "0 reuse detections at the backend",
    met: withReuse.length === 0 ? null : reuse === 0,
    detail:
      withReuse.length === 0
        ? "backend counters not readable"
        : `${reuse} (users signed out: ${sum(ours, (result) => result.usersSignedOut)})`,
    enforced: true,
  });

  const latency = run.settings.refreshLatencyMs;
  checks.push(
    latencyCheck(
      ours,
      "joined",
      latency === null ? null : latency + JOINED_BUDGET_MS,
      `backend refresh latency (${latency ?? "?"} ms) + ${JOINED_BUDGET_MS} ms`,
    ),
  );
  checks.push(latencyCheck(ours, "replayed", REPLAYED_BUDGET_MS, `${REPLAYED_BUDGET_MS} ms`));
  return checks;
}

/** True when an enforced target was missed. */
export function failedEnforced(checks: readonly TargetCheck[]): boolean {
  return checks.some((check) => check.enforced && check.met === false);
}

function latencyCheck(
  results: readonly ScenarioResult[],
  outcome: "joined" | "replayed",
  budgetMs: number | null,
  budgetText: string,
): TargetCheck {
  const target = `\`${outcome}\` p99 ≤ ${budgetText} (middleware Server-Timing)`;
  const rows = results.flatMap((result) => {
    const row = result.latency.find((candidate) => candidate.outcome === outcome && candidate.middleware.count > 0);
    return row
      ? [
          {
            label: `${result.scenario.tabs}×${result.scenario.instances}×${result.scenario.users}`,
            p99: row.middleware.p99,
          },
        ]
      : [];
  });
  if (rows.length === 0 || budgetMs === null)
    return {
      target,
      met: null,
      detail: rows.length === 0 ? `no \`${outcome}\` request` : "backend latency unknown",
      enforced: false,
    };
  const missed = rows.filter((row) => row.p99 > budgetMs);
  return {
    target,
    met: missed.length === 0,
    detail:
      `met in ${rows.length - missed.length} of ${rows.length} scenarios` +
      (missed.length > 0
        ? `; missed in ${missed.map((row) => `${row.label} (${row.p99.toFixed(0)} ms)`).join(", ")}`
        : ""),
    enforced: false,
  };
}

function ratio(calls: number, expiries: number): string {
  return (calls / expiries).toFixed(2);
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function maxBy<T>(items: readonly T[], value: (item: T) => number): T | undefined {
  let best: T | undefined;
  for (const item of items) if (best === undefined || value(item) > value(best)) best = item;
  return best;
}
