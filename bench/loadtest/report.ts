/**
 * The Markdown report: our mode beside the unlocked baseline, then each in detail, latency by outcome,
 * failures by reason and the targets. Pure: a RunResult in, text out.
 */
import { ms, type LatencySummary as Summary } from "edge-session-refresh-loadtest";
import { checkTargets, JOINED_BUDGET_MS, REPLAYED_BUDGET_MS } from "./targets";
import { scenarioLabel, type Mode, type RunResult, type ScenarioResult } from "./types";

const MODE_NAMES: Record<Mode, string> = { locked: "ours (lock)", baseline: "baseline (no lock)" };

export function renderReport(
  run: RunResult,
  options: { charts?: ReadonlyArray<{ path: string; title: string }> } = {},
): string {
  const ours = run.results.filter((result) => result.mode === "locked");
  const baseline = run.results.filter((result) => result.mode === "baseline");
  const { machine, settings } = run;
  const out: string[] = [];

  out.push(`# Session refresh load test, ${run.startedAt}`, "");
  out.push(
    `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node} on ${machine.platform}` +
      (settings.commit ? `; commit ${settings.commit}` : "") +
      `; load average ${machine.loadAverage} at the start` +
      (machine.loadAverage > machine.cpus ? " (**busy machine: latencies are inflated by other work**)" : "") +
      ".",
  );
  out.push(
    `${settings.stack.join("; ")}. ${settings.waves} waves per scenario (each a fresh expiry of every user's session)` +
      (settings.refreshLatencyMs === null ? "" : `; backend refresh latency ${settings.refreshLatencyMs} ms`) +
      `; per-request timeout ${settings.requestTimeoutMs / 1000} s; deadline ${settings.deadlineSeconds} s.`,
    "",
  );
  out.push(
    "A wave: every tab of every user sends its expired cookie at once (the storm; tabs alternate `/dashboard` and `/api/profile`, " +
      "round-robin over the instances), then one late request per user still carries the old cookie, then every tab sends again " +
      "with the cookies its storm response set. A request succeeded when it answered 200 with the backend profile in it.",
    "",
  );

  if (baseline.length > 0) {
    out.push("## Ours beside the unlocked baseline", "");
    const rows = ours.map((result) => {
      const other = baseline.find((candidate) => sameScenario(candidate, result));
      const pair = (value: (r: ScenarioResult) => string) => [value(result), other ? value(other) : "–"];
      return [
        scenarioLabel(result.scenario),
        String(result.expiries),
        ...pair(perExpiry),
        ...pair((r) => `${r.failed} / ${r.requests}`),
        ...pair((r) => String(r.usersSignedOut)),
        ...pair((r) => count(r.reuseDetections)),
      ];
    });
    out.push(
      table(
        [
          "scenario",
          "expiries",
          "refresh calls / expiry, ours",
          "baseline",
          "failed, ours",
          "baseline",
          "users signed out, ours",
          "baseline",
          "reuse detections, ours",
          "baseline",
        ],
        rows,
        "lrrrrrrrrr",
      ),
      "",
    );
  }

  for (const [mode, results] of [
    ["locked", ours],
    ["baseline", baseline],
  ] as const) {
    if (results.length === 0) continue;
    out.push(`## ${MODE_NAMES[mode]}: per scenario`, "");
    out.push(
      table(
        [
          "scenario",
          "requests",
          "succeeded",
          "failed",
          "refresh calls (per expiry)",
          "reuse detections",
          "families revoked",
          "users signed out",
          "max concurrent refreshes",
          "lock-store cmds / refresh",
          "req/s",
          "outcomes",
        ],
        results.map((r) => [
          scenarioLabel(r.scenario) + (r.incomplete ? ` ⚠ ${r.incomplete}` : ""),
          String(r.requests),
          String(r.succeeded),
          String(r.failed),
          r.refreshCalls === null ? "n/a" : `${r.refreshCalls} (${perExpiry(r)})`,
          count(r.reuseDetections),
          count(r.familiesRevoked),
          String(r.usersSignedOut),
          count(r.maxConcurrentRefreshes),
          storePerRefresh(r),
          r.durationMs > 0 ? (r.requests / (r.durationMs / 1000)).toFixed(0) : "–",
          Object.entries(r.outcomes)
            .map(([outcome, n]) => `${outcome} ${n}`)
            .join(", "),
        ]),
        "lrrrrrrrrrrl",
      ),
      "",
    );
  }

  if (ours.length > 0) {
    out.push(`## ${MODE_NAMES.locked}: latency by Server-Timing outcome (ms)`, "");
    out.push(
      "Client = request sent to body read, as a tab sees it (includes the page or API work and any queueing on the instance); " +
        "middleware = the `dur` the session middleware reports (reading the cookie, the lock, waiting, the backend call). Successful requests only.",
      "",
    );
    out.push(latencyTable(ours), "");
    out.push(
      "Against the latency targets, middleware p99 per scenario. The `valid` path does no I/O (one cached or " +
        "in-memory decrypt), so its p99 shows how long requests queued behind other work on a busy instance; " +
        "`joined` and `replayed` pay that queueing too.",
      "",
    );
    out.push(
      table(
        [
          "scenario",
          `\`joined\` p99 (≤ ${settings.refreshLatencyMs === null ? "?" : settings.refreshLatencyMs + JOINED_BUDGET_MS} ms)`,
          `\`replayed\` p99 (≤ ${REPLAYED_BUDGET_MS} ms)`,
          "`valid` p99 (queueing)",
        ],
        ours.map((result) => {
          const p99 = (outcome: string) =>
            result.latency.find((row) => row.outcome === outcome)?.middleware.p99 ?? Number.NaN;
          return [scenarioLabel(result.scenario), ms(p99("joined")), ms(p99("replayed")), ms(p99("valid"))];
        }),
        "lrrr",
      ),
      "",
    );
  }
  if (baseline.length > 0) {
    out.push(`## ${MODE_NAMES.baseline}: latency by Server-Timing outcome (ms)`, "");
    out.push(latencyTable(baseline), "");
  }

  const failing = run.results.filter((result) => result.failed > 0);
  if (failing.length > 0) {
    out.push("## Failed requests by reason", "");
    out.push(
      table(
        ["scenario", "mode", "reason", "requests"],
        failing.flatMap((result) =>
          Object.entries(result.failures).map(([reason, n]) => [
            scenarioLabel(result.scenario),
            MODE_NAMES[result.mode],
            reason,
            String(n),
          ]),
        ),
        "lllr",
      ),
      "",
    );
  }

  out.push("## Targets (ours)", "");
  out.push(
    table(
      ["target", "result", "detail"],
      checkTargets(run).map((check) => [
        check.target + (check.enforced ? "" : " (reported, not enforced)"),
        check.met === null ? "n/a" : check.met ? "met" : "**missed**",
        check.detail,
      ]),
      "lll",
    ),
    "",
  );

  if (run.skipped.length > 0) {
    out.push("## Not run", "");
    for (const { scenario, reason } of run.skipped) out.push(`- ${scenarioLabel(scenario)}: ${reason}`);
    out.push("");
  }
  for (const chart of options.charts ?? []) out.push(`![${chart.title}](${chart.path})`, "");
  return out.join("\n");
}

function latencyTable(results: readonly ScenarioResult[]): string {
  const rows = results.flatMap((result) =>
    result.latency.map((row) => [
      scenarioLabel(result.scenario),
      row.outcome,
      String(row.count),
      ...triple(row.client),
      ...triple(row.middleware),
    ]),
  );
  if (rows.length === 0) return "_No request succeeded, so there is no latency to show._";
  return table(
    ["scenario", "outcome", "n", "client p50", "p95", "p99", "middleware p50", "p95", "p99"],
    rows,
    "llrrrrrrr",
  );
}

function triple(summary: Summary): string[] {
  return [ms(summary.p50), ms(summary.p95), ms(summary.p99)];
}

export { ms };

function perExpiry(result: ScenarioResult): string {
  if (result.refreshCalls === null) return "n/a";
  if (result.expiries === 0) return "–";
  return (result.refreshCalls / result.expiries).toFixed(2);
}

function storePerRefresh(result: ScenarioResult): string {
  if (result.storeCommands === null || result.refreshCalls === null) return "n/a";
  if (result.refreshCalls === 0) return result.storeCommands === 0 ? "0" : `${result.storeCommands} (no refresh)`;
  const all = (result.storeCommands / result.refreshCalls).toFixed(1);
  if (result.stormStoreCommands === null || result.stormStoreCommands === result.storeCommands) return all;
  return `${all} (storm ${(result.stormStoreCommands / result.refreshCalls).toFixed(1)})`;
}

function count(value: number | null): string {
  return value === null ? "n/a" : String(value);
}

function sameScenario(a: ScenarioResult, b: ScenarioResult): boolean {
  return (
    a.scenario.tabs === b.scenario.tabs &&
    a.scenario.instances === b.scenario.instances &&
    a.scenario.users === b.scenario.users
  );
}

/** A GitHub-flavoured Markdown table; `align` has one l or r per column. Pipes in cells are escaped. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: string): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  const line = (cells: readonly string[]) => `| ${cells.map(escape).join(" | ")} |`;
  const rule = `|${headers.map((_, i) => (align[i] === "r" ? " ---: " : " --- ")).join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}
