/**
 * One CLI run: options → accounts → the scenario → summary → terminal table, JSON and report → exit code
 * (0 held, 1 a threshold failed or the run did not finish, 2 bad usage or no account could sign in).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { accountFromEnv, accountsFromCsv, IDENTIFIER_ENV, PASSWORD_ENV } from "./accounts";
import { diffCounters, readCounters } from "./backend-stats";
import { runBrowse } from "./browse";
import { renderStormChart } from "./chart";
import { loadProblems, parseCli, USAGE, UsageError, type CliOptions } from "./cli";
import type { CookieJar } from "./cookies";
import { createProgress, type Progress } from "./progress";
import { renderHtmlReport, renderSummaryText, timelineChart } from "./report";
import { sessionDueAt, signIn, type NextAuthLocation } from "./sign-in";
import { sleep } from "./browse";
import { runStorm } from "./storm";
import { summarizeRun, type BackendCounters, type RunSummary } from "./summary";
import type { Account, Sample } from "./types";

/** Waiting for a stated due time: this long after it, for clock differences between us and the app. */
const DUE_MARGIN_MS = 1_000;

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WriteStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly version: string;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const print = (text: string) => io.stdout.write(`${text}\n`);
  const fail = (text: string) => io.stderr.write(`${text}\n`);
  let options: CliOptions;
  let accounts: Account[];
  try {
    options = parseCli(argv);
    if (options.help) {
      print(USAGE);
      return 0;
    }
    if (options.version) {
      print(io.version);
      return 0;
    }
    accounts = loadAccounts(options, io.env);
    const problems = loadProblems(options, accounts.length);
    if (problems.length > 0) throw new UsageError(problems);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    fail(error.message);
    return 2;
  }

  const progress = createProgress(io.stderr, Date.now, true);
  const deadline = new AbortController();
  const deadlineTimer = setTimeout(() => deadline.abort(), options.deadlineSeconds * 1000);
  const onSignal = () => deadline.abort();
  process.once("SIGINT", onSignal);
  try {
    const result = await execute(options, accounts, progress, deadline.signal);
    progress.end();
    if (result.kind === "usage") {
      fail(`edge-session-refresh-loadtest: ${result.message}`);
      return 2;
    }
    const { summary, samples } = result;
    if (summary.accounts === 0) {
      if (options.jsonFile) writeFileSync(options.jsonFile, `${JSON.stringify(summary, null, 2)}\n`);
      fail(
        `edge-session-refresh-loadtest: no account could sign in${result.firstSignInFailure ? `: ${result.firstSignInFailure}` : ""}`,
      );
      return 2;
    }
    print(renderSummaryText(summary));
    if (options.jsonFile) writeFileSync(options.jsonFile, `${JSON.stringify(summary, null, 2)}\n`);
    if (options.reportFile) {
      const svg = /\.svg$/i.test(options.reportFile);
      const { chart, bucketMs } = timelineChart(summary, samples);
      writeFileSync(options.reportFile, svg ? renderStormChart(chart, bucketMs) : renderHtmlReport(summary, samples));
    }
    return summary.pass ? 0 : 1;
  } finally {
    clearTimeout(deadlineTimer);
    process.off("SIGINT", onSignal);
    progress.end();
  }
}

function loadAccounts(options: CliOptions, env: CliIo["env"]): Account[] {
  if (options.accountsFile !== null) {
    let text: string;
    try {
      text = readFileSync(options.accountsFile, "utf8");
    } catch (error) {
      throw new UsageError([
        `--accounts ${options.accountsFile}: ${(error as NodeJS.ErrnoException).code ?? "cannot read it"}`,
      ]);
    }
    const parsed = accountsFromCsv(text);
    if ("problems" in parsed)
      throw new UsageError(parsed.problems.map((problem) => `--accounts ${options.accountsFile}: ${problem}`));
    return parsed.accounts;
  }
  const account = accountFromEnv(env);
  if (account === null)
    throw new UsageError([
      `no accounts: give --accounts FILE, or set ${IDENTIFIER_ENV} and ${PASSWORD_ENV} in the environment`,
    ]);
  return [account];
}

type Executed =
  | { kind: "done"; summary: RunSummary; samples: readonly Sample[]; firstSignInFailure: string | null }
  | { kind: "usage"; message: string };

async function execute(
  options: CliOptions,
  accounts: readonly Account[],
  progress: Progress,
  signal: AbortSignal,
): Promise<Executed> {
  const startedAt = new Date();
  const location: NextAuthLocation = {
    authPath: options.authPath,
    provider: options.provider,
    identifierField: options.identifierField,
    headers: options.headers,
  };
  const request = {
    timeoutMs: options.timeoutMs,
    signal,
    headers: options.headers,
    judging: { signInPaths: options.signInPaths },
  };
  const signInAccount = (account: number, baseUrl: string, runSignal: AbortSignal): Promise<CookieJar> =>
    signIn(baseUrl, accounts[account]!, location, AbortSignal.any([runSignal, AbortSignal.timeout(options.timeoutMs)]));
  const before = options.backendStatsUrl ? await readCounters(options.backendStatsUrl, options.headers, signal) : null;
  progress.line(
    `${options.scenario}: ${accounts.length} account${accounts.length === 1 ? "" : "s"} × ${options.tabs} tab${options.tabs === 1 ? "" : "s"} against ${options.targets.join(", ")}`,
  );
  progress.setScope(options.scenario);
  const started = performance.now();

  let samples: Sample[];
  let signedOutPerExpiry: number[];
  let signedOutAccounts: number;
  let accountsSignedIn: number;
  let signInFailures: ReadonlyArray<{ reason: string }>;
  let incomplete: string | null = null;
  let waves = 0;
  let missingDueTime = false;

  if (options.scenario === "storm") {
    const due = async (jar: CookieJar, baseUrl: string, runSignal: AbortSignal): Promise<CookieJar> => {
      if (options.expiryWaitSeconds !== null) {
        await sleep(options.expiryWaitSeconds * 1000, runSignal);
        if (runSignal.aborted) throw new Error("deadline");
        return jar;
      }
      const next = new Map(jar);
      const times = await sessionDueAt(baseUrl, next, location, runSignal);
      if (times === null) {
        missingDueTime = true;
        throw new Error("no due time");
      }
      await sleep(times.dueAt + DUE_MARGIN_MS - Date.now(), runSignal);
      if (runSignal.aborted) throw new Error("deadline");
      return next;
    };
    const run = await runStorm({
      targets: options.targets,
      accounts: accounts.length,
      tabs: options.tabs,
      waves: options.waves,
      paths: options.paths,
      late: options.late,
      session: { signIn: signInAccount, due },
      request,
      progress: (status) => progress.status(status),
    });
    if (missingDueTime) {
      return {
        kind: "usage",
        message: `${options.authPath}/session states neither refreshDueFrom nor accessTokenExpires (an app not on edge-session-refresh): give --expiry-wait S, the seconds until its access token expires`,
      };
    }
    samples = run.waves.flatMap((wave) => wave.samples);
    signedOutPerExpiry = run.waves.map((wave) => wave.signedOut.length);
    signedOutAccounts = new Set(run.waves.flatMap((wave) => wave.signedOut)).size;
    accountsSignedIn = new Set(run.waves.flatMap((wave) => wave.accounts)).size;
    signInFailures = run.signInFailures;
    waves = run.waves.length;
    if (run.incomplete && accountsSignedIn > 0) incomplete = run.incomplete;
  } else {
    const durationMs = options.durationSeconds * 1000;
    const run = await runBrowse({
      targets: options.targets,
      accounts: accounts.length,
      tabs: options.tabs,
      paths: options.paths,
      durationMs,
      rampMs: (options.rampSeconds ?? Math.min(options.durationSeconds / 2, 30)) * 1000,
      ratePerSecond: options.rate ?? options.tabs * accounts.length,
      refreshAhead: options.refreshAhead,
      authPath: options.authPath,
      signIn: signInAccount,
      sessionTimes: (jar, baseUrl, runSignal) => sessionDueAt(baseUrl, jar, location, runSignal),
      request,
      progress: (status) => progress.status(status),
    });
    samples = [...run.samples];
    signedOutPerExpiry = Array.from({ length: accounts.length }, (_, account) => run.signOuts[account] ?? 0);
    signedOutAccounts = run.signedOut.length;
    accountsSignedIn = run.accountsSignedIn;
    signInFailures = run.signInFailures;
    if (signal.aborted) incomplete = "deadline reached";
  }

  let backend: BackendCounters | null = null;
  if (options.backendStatsUrl && before) {
    const after = await readCounters(options.backendStatsUrl, options.headers, AbortSignal.timeout(10_000));
    backend = { before, after, delta: diffCounters(before, after) };
  }
  const summary = summarizeRun({
    scenario: options.scenario,
    targets: options.targets,
    accountsGiven: accounts.length,
    accountsSignedIn,
    signInFailures: signInFailures.length,
    waves,
    tabs: options.tabs,
    samples,
    signedOutPerExpiry,
    signedOutAccounts,
    thresholds: options.thresholds,
    backend,
    durationMs: performance.now() - started,
    startedAt,
    finishedAt: new Date(),
    incomplete,
  });
  return { kind: "done", summary, samples, firstSignInFailure: signInFailures[0]?.reason ?? null };
}
