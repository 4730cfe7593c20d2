/**
 * A run's summary: the verdict counts, the accounts that lost their session, the `refreshed` outcomes per
 * account and expiry, latency, the thresholds and the exit code's reason. Pure: samples in, the JSON the
 * CLI writes (`--json`) out. README.md ("The JSON") documents every field.
 */
import { countBy, latencyByOutcome, summarize } from "./stats";
import { evaluate, type Metric, type Threshold, type ThresholdResult } from "./thresholds";
import type { LatencySummary, OutcomeLatency, Sample } from "./types";

export interface BackendCounters {
  /** The counters JSON `--backend-stats` answered before the run and after it (any numeric fields). */
  readonly before: Readonly<Record<string, number>>;
  readonly after: Readonly<Record<string, number>>;
  /** after − before, per numeric field present in both. */
  readonly delta: Readonly<Record<string, number>>;
}

export interface RunSummary {
  /** The run held: every threshold holds and the run was complete. */
  readonly pass: boolean;
  readonly scenario: "storm" | "browse";
  /** The targets' origins (no paths, no credentials). */
  readonly targets: readonly string[];
  /** Accounts that signed in at least once. */
  readonly accounts: number;
  /** Accounts given (CSV rows, or 1 from the environment). */
  readonly accountsGiven: number;
  readonly signInFailures: number;
  /** Storm: waves (expiries per account) run. Browse: 0. */
  readonly waves: number;
  readonly tabs: number;
  readonly requests: number;
  /** Requests by verdict. */
  readonly served: number;
  readonly signedOutResponses: number;
  readonly unavailable: number;
  readonly failed: number;
  /** Accounts that lost their session at least once. */
  readonly signedOut: number;
  /** Storm: accounts signed out at each expiry (wave). Browse: sign-outs per account index. */
  readonly signedOutPerExpiry: readonly number[];
  /**
   * `refreshedPerExpiry[account][expiry]`: the `refreshed` Server-Timing outcomes of that account's requests
   * at that expiry (storm: wave; browse: each session cookie a refresh was contended for), or null where the
   * app reported no session outcome at all. The whole field is null when no response carried one.
   */
  readonly refreshedPerExpiry: ReadonlyArray<ReadonlyArray<number | null>> | null;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly failures: Readonly<Record<string, number>>;
  /** Client latency of every answered request (status ≠ 0), ms. */
  readonly latency: LatencySummary;
  readonly latencyByOutcome: readonly OutcomeLatency[];
  readonly thresholds: readonly ThresholdResult[];
  readonly backend: BackendCounters | null;
  readonly durationMs: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** Set when the run did not finish (deadline). */
  readonly incomplete: string | null;
  /** What happened to the users, in one or two plain sentences. */
  readonly sentence: string;
}

/** Outcomes that mean a request found its session due: a refresh was contended for. */
const CONTENDED = new Set(["refreshed", "joined", "replayed", "rejected", "unavailable"]);

export interface SummaryInput {
  readonly scenario: "storm" | "browse";
  readonly targets: readonly string[];
  readonly accountsGiven: number;
  readonly accountsSignedIn: number;
  readonly signInFailures: number;
  readonly waves: number;
  readonly tabs: number;
  readonly samples: readonly Sample[];
  /** Storm: accounts signed out at each wave; browse: the accounts signed out (with repeats). */
  readonly signedOutPerExpiry: readonly number[];
  readonly signedOutAccounts: number;
  readonly thresholds: readonly Threshold[];
  readonly backend: BackendCounters | null;
  readonly durationMs: number;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly incomplete: string | null;
}

export function summarizeRun(input: SummaryInput): RunSummary {
  const { samples } = input;
  const verdicts = countBy(samples, (sample) => sample.verdict);
  const refreshedPerExpiry = refreshedByAccountAndExpiry(samples, input.accountsGiven, input.scenario);
  const answered = samples.filter((sample) => sample.status !== 0);
  const latency = summarize(answered.map((sample) => sample.endMs - sample.startMs));
  const ratio = (count: number) => (samples.length === 0 ? null : count / samples.length);
  const worstRefreshed =
    refreshedPerExpiry === null
      ? null
      : refreshedPerExpiry.flat().reduce<number>((most, value) => Math.max(most, value ?? 0), 0);
  const metrics: Record<Metric, number | null> = {
    served: ratio(verdicts.served ?? 0),
    failed: ratio(verdicts.failed ?? 0),
    unavailable: ratio(verdicts.unavailable ?? 0),
    signedOut: input.signedOutAccounts,
    signInFailures: input.signInFailures,
    refreshedPerExpiry: worstRefreshed,
    p50: answered.length === 0 ? null : latency.p50,
    p95: answered.length === 0 ? null : latency.p95,
    p99: answered.length === 0 ? null : latency.p99,
    max: answered.length === 0 ? null : latency.max,
  };
  const thresholds = evaluate(input.thresholds, metrics);
  const summary: Omit<RunSummary, "sentence"> = {
    pass: input.incomplete === null && samples.length > 0 && thresholds.every((threshold) => threshold.holds),
    scenario: input.scenario,
    targets: input.targets.map((target) => new URL(target).origin),
    accounts: input.accountsSignedIn,
    accountsGiven: input.accountsGiven,
    signInFailures: input.signInFailures,
    waves: input.waves,
    tabs: input.tabs,
    requests: samples.length,
    served: verdicts.served ?? 0,
    signedOutResponses: verdicts["signed-out"] ?? 0,
    unavailable: verdicts.unavailable ?? 0,
    failed: verdicts.failed ?? 0,
    signedOut: input.signedOutAccounts,
    signedOutPerExpiry: input.signedOutPerExpiry,
    refreshedPerExpiry,
    outcomes: countBy(samples, (sample) => sample.outcome),
    failures: countBy(samples, (sample) => sample.failure),
    latency,
    latencyByOutcome: latencyByOutcome(samples),
    thresholds,
    backend: input.backend,
    durationMs: Math.round(input.durationMs),
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    incomplete: input.incomplete,
  };
  return { ...summary, sentence: sentence(summary) };
}

function refreshedByAccountAndExpiry(
  samples: readonly Sample[],
  accounts: number,
  scenario: "storm" | "browse",
): Array<Array<number | null>> | null {
  if (!samples.some((sample) => sample.outcome !== "none")) return null;
  const table: Array<Array<number | null>> = Array.from({ length: accounts }, () => []);
  const reported = new Set<string>();
  const contended = new Set<string>();
  const present = new Set<string>();
  const refreshed = new Map<string, number>();
  for (const sample of samples) {
    const key = `${sample.account}:${sample.expiry}`;
    present.add(key);
    if (sample.outcome !== "none") reported.add(key);
    if (CONTENDED.has(sample.outcome)) contended.add(key);
    if (sample.outcome === "refreshed") refreshed.set(key, (refreshed.get(key) ?? 0) + 1);
  }
  const maxExpiry = samples.reduce((most, sample) => Math.max(most, sample.expiry), 0);
  for (let account = 0; account < accounts; account++) {
    for (let expiry = 1; expiry <= maxExpiry; expiry++) {
      const key = `${account}:${expiry}`;
      // Browse: only session cookies a refresh was contended for are expiries; storm: every wave is one.
      if (scenario === "browse" ? !contended.has(key) : !present.has(key)) continue;
      table[account]!.push(reported.has(key) ? (refreshed.get(key) ?? 0) : null);
    }
  }
  return table;
}

/** One or two sentences a person reads first: what happened to the users. */
export function sentence(summary: Omit<RunSummary, "sentence">): string {
  const accounts = summary.accounts;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts: string[] = [];
  if (summary.scenario === "storm" && summary.signedOutPerExpiry.length > 0) {
    const first = summary.signedOutPerExpiry[0]!;
    parts.push(
      `${first} of ${plural(accounts, "account")} ${first === 1 ? "was" : "were"} signed out at their first expiry`,
    );
    if (summary.signedOutPerExpiry.length > 1) {
      parts.push(
        `${summary.signedOut} of ${accounts} lost their session at least once over ${plural(summary.signedOutPerExpiry.length, "expiry").replace(/expirys$/, "expiries")}`,
      );
    }
  } else {
    parts.push(
      `${summary.signedOut} of ${plural(accounts, "account")} ${summary.signedOut === 1 ? "was" : "were"} signed out while browsing`,
    );
  }
  parts.push(
    `${summary.served} of ${plural(summary.requests, "request")} ${summary.served === 1 ? "was" : "were"} served`,
  );
  let text = `${parts.join("; ")}.`;
  if (summary.refreshedPerExpiry !== null) {
    const doubled = summary.refreshedPerExpiry.flat().filter((value) => value !== null && value > 1).length;
    text +=
      doubled === 0
        ? " No session was refreshed more than once per expiry."
        : ` ${plural(doubled, "expiry")} saw more than one refresh of one session.`.replace(/expirys/, "expiries");
  } else {
    text += " The app reports no session outcomes (no Server-Timing `session` entry), so refreshes were not counted.";
  }
  if (summary.incomplete) text += ` The run did not finish: ${summary.incomplete}.`;
  return text;
}
