/**
 * `npm run loadtest`: refresh storms against the app with its Redis lock and, side by side, against the
 * same build without it (the unlocked baseline), all started locally, on the engine of
 * `edge-session-refresh-loadtest` (packages/loadtest). Writes a Markdown report, its JSON and the storm
 * chart; see cli.ts for the options and the exit codes.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join, relative, resolve } from "node:path";
import { createProgress, renderStormChart, type TimelineChart } from "edge-session-refresh-loadtest";
import { ROOT } from "../../test-support/next-app";
import { CliError, parseCli, USAGE, type CliOptions } from "./cli";
import { renderReport } from "./report";
import { runScenario, type ScenarioRun } from "./runner";
import { createSessionSource } from "./sessions";
import { startLocalStack } from "./stack";
import { checkTargets, failedEnforced } from "./targets";
import {
  MODES,
  requestsPerWave,
  scenarioLabel,
  type ChartStorm,
  type MachineInfo,
  type Mode,
  type RunResult,
  type Scenario,
  type ScenarioResult,
} from "./types";
import { warmUp } from "./warmup";

/** The charts the docs embed, by chart name; rewritten only by a complete run of the default local matrix. */
const DOCS_CHARTS: Record<ChartStorm["name"], string> = {
  largest: "bench/storm-chart.svg",
  "one-user": "bench/storm-chart-one-user.svg",
};

async function main(): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(error.message);
    return 64;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }

  const startedAt = new Date();
  // Read now: the load average is about the machine before we loaded it.
  const machine = machineInfo();
  const progress = createProgress();
  const deadline = new AbortController();
  setTimeout(() => deadline.abort(), options.deadlineSeconds * 1000).unref();
  const scenarios = [...options.scenarios];
  const modes = MODES.filter((mode) => mode === "locked" || options.baseline);
  const total = scenarios.reduce((sum, scenario) => sum + requestsPerWave(scenario) * options.waves * modes.length, 0);
  progress.line(
    `${scenarios.length} scenarios × ${modes.join(" + ")}, ${options.waves} waves each: ${total} requests (warm-up and sign-ins not counted)`,
  );

  const stack = await startLocalStack({
    instances: Math.max(...scenarios.map((scenario) => scenario.instances)),
    users: Math.max(...scenarios.map((scenario) => scenario.users)),
    refreshLatencyMs: options.refreshLatencyMs,
    storeLatencyMs: options.storeLatencyMs,
    store: options.store,
    baseline: modes.includes("baseline"),
    build: options.build,
    log: (line) => progress.line(line),
  });
  const stop = () => {
    deadline.abort();
    progress.end();
    console.error("interrupted: stopping the instances");
    void stack.close().finally(() => process.exit(130));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  const results: ScenarioResult[] = [];
  const skipped: RunResult["skipped"][number][] = [];
  const runs = new Map<string, ScenarioRun>();
  try {
    const sessions = createSessionSource(stack.secret, stack.account, options.timeoutMs);
    progress.line("warming up every instance (sign-in, refresh, valid requests on each path)");
    const everyUrl = modes.flatMap((mode) => stack.deployments[mode] ?? []);
    await warmUp(everyUrl, sessions, deadline.signal);

    for (const [index, scenario] of scenarios.entries()) {
      for (const mode of modes) {
        if (deadline.signal.aborted) {
          skipped.push({
            scenario,
            reason: `${mode}: deadline (${options.deadlineSeconds} s) reached before it started`,
          });
          continue;
        }
        progress.setScope(`[${index + 1}/${scenarios.length}] ${mode} ${scenarioLabel(scenario)}`);
        const run = await runScenario(mode, scenario, {
          stack,
          sessions,
          waves: options.waves,
          timeoutMs: options.timeoutMs,
          signal: deadline.signal,
          progress: (status) => progress.status(status),
        });
        results.push(run.result);
        runs.set(runKey(mode, scenario), run);
        progress.line(summaryLine(run.result, index, scenarios.length));
      }
    }
  } finally {
    progress.end();
    await stack.close();
  }

  const run: RunResult = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine,
    settings: {
      target: "local",
      stack: stack.description,
      waves: options.waves,
      refreshLatencyMs: stack.refreshLatencyMs,
      requestTimeoutMs: options.timeoutMs,
      deadlineSeconds: options.deadlineSeconds,
      commit: commitDescription(),
    },
    results,
    charts: chartStorms(scenarios, modes, runs),
    skipped,
  };

  const outDir = resolve(ROOT, options.outDir);
  mkdirSync(outDir, { recursive: true });
  const stamp = run.startedAt.replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
  const written: string[] = [];
  const complete = skipped.length === 0 && results.every((result) => !result.incomplete);
  const chartFiles: Array<{ path: string; title: string }> = [];
  for (const chart of run.charts) {
    const svg = renderStormChart(timelineChart(chart));
    const name = `storm-chart-${chart.name === "largest" ? "" : `${chart.name}-`}${stamp}.svg`;
    writeFileSync(join(outDir, name), svg);
    written.push(join(outDir, name));
    chartFiles.push({ path: name, title: `Requests over time: ${scenarioLabel(chart.scenario)}` });
    if (options.defaultMatrix && complete) {
      writeFileSync(join(ROOT, DOCS_CHARTS[chart.name]), svg);
      written.push(join(ROOT, DOCS_CHARTS[chart.name]));
    }
  }
  const report = renderReport(run, { charts: chartFiles });
  writeFileSync(join(outDir, `loadtest-${stamp}.md`), report);
  writeFileSync(join(outDir, `loadtest-${stamp}.json`), `${JSON.stringify(run, null, 1)}\n`);
  written.push(join(outDir, `loadtest-${stamp}.md`), join(outDir, `loadtest-${stamp}.json`));
  const logs = stack.instanceLogs();
  if (logs.length > 0) {
    const logFile = join(outDir, `loadtest-${stamp}-instances.log`);
    writeFileSync(logFile, logs.map(({ name, output }) => `===== ${name} =====\n${output}\n`).join("\n"));
    written.push(logFile);
  }

  console.log(report);
  console.error(`written: ${written.map((path) => relative(process.cwd(), path)).join(", ")}`);

  const ours = results.filter((result) => result.mode === "locked");
  if (failedEnforced(checkTargets(run))) return 1;
  if (ours.some((result) => result.incomplete) || skipped.length > 0 || ours.length === 0) return 2;
  return 0;
}

function runKey(mode: Mode, scenario: Scenario): string {
  return `${mode}:${scenario.tabs}x${scenario.instances}x${scenario.users}`;
}

/** The largest storm (most concurrent requests, then most instances) and the most tabs of one user, both modes. */
function chartStorms(
  scenarios: readonly Scenario[],
  modes: readonly Mode[],
  runs: ReadonlyMap<string, ScenarioRun>,
): ChartStorm[] {
  const ran = scenarios.filter((scenario) => runs.get(runKey("locked", scenario))?.firstWave.length);
  const bySize = (a: Scenario, b: Scenario) => b.tabs * b.users - a.tabs * a.users || b.instances - a.instances;
  const largest = [...ran].sort(bySize)[0];
  const oneUser = ran.filter((scenario) => scenario.users === 1 && scenario.tabs > 1).sort(bySize)[0];
  const picks: Array<[ChartStorm["name"], Scenario | undefined]> = [
    ["largest", largest],
    ["one-user", oneUser === largest ? undefined : oneUser],
  ];
  return picks.flatMap(([name, scenario]) => {
    if (scenario === undefined) return [];
    const panels = modes.flatMap((mode) => {
      const run = runs.get(runKey(mode, scenario));
      if (!run || run.firstWave.length === 0) return [];
      const failed = run.firstWave.filter((sample) => !sample.ok).length;
      const calls =
        run.firstWaveRefreshCalls === null
          ? ""
          : `${run.firstWaveRefreshCalls} backend refresh call${run.firstWaveRefreshCalls === 1 ? "" : "s"} · `;
      return [{ mode, samples: run.firstWave, note: `${calls}${failed} of ${run.firstWave.length} requests failed` }];
    });
    return [{ name, scenario, panels }];
  });
}

/** The engine's chart of a storm, with the repository's panel names. */
function timelineChart(storm: ChartStorm): TimelineChart {
  return {
    title: `Session refresh storm: ${scenarioLabel(storm.scenario)}, first expiry`,
    panels: storm.panels.map((panel) => ({
      label:
        panel.mode === "locked"
          ? "Ours: Redis lock + successor cache"
          : "Baseline: no lock (next-auth's refresh-in-the-jwt-callback recipe)",
      samples: panel.samples,
      note: panel.note,
    })),
  };
}

function summaryLine(result: ScenarioResult, index: number, count: number): string {
  const calls =
    result.refreshCalls === null
      ? "refresh calls n/a"
      : `${result.refreshCalls} refresh calls / ${result.expiries} expiries`;
  return (
    `[${index + 1}/${count}] ${result.mode.padEnd(8)} ${scenarioLabel(result.scenario).padEnd(30)} ` +
    `${result.failed}/${result.requests} failed, ${calls}, ${result.usersSignedOut} users signed out` +
    (result.incomplete ? ` (incomplete: ${result.incomplete})` : "")
  );
}

function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

function commitDescription(): string | null {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty =
      execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${head} + uncommitted changes under src/` : head;
  } catch {
    return null;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("load test failed:", error);
    process.exit(2);
  },
);
