/**
 * Runs one scenario in one mode on the engine's storm (packages/loadtest): the demo's sessions (signed in
 * through the app, made due by minting), the demo's content check (the backend profile on the page), and
 * the backend's and the lock store's counters read around each wave.
 */
import {
  countBy,
  latencyByOutcome,
  runStorm,
  type Judging,
  type Sample,
  type SessionSource,
} from "edge-session-refresh-loadtest";
import type { Stack } from "./stack";
import type { Mode, Scenario, ScenarioResult, StatsSnapshot } from "./types";

/** The protected routes of docs/ARCHITECTURE.md ("Behaviour"); tabs alternate between them. */
export const PROTECTED_PATHS = ["/dashboard", "/api/profile"] as const;
/** What the dashboard renders only when the backend profile came back for the current access token. */
const DASHBOARD_PROFILE_MARKER = 'data-testid="profile-name"';
/** Failed requests kept whole in the JSON, for diagnosis. */
const FAILED_SAMPLES_KEPT = 100;

/** The demo's verdicts: a redirect to /login or next-auth's sign-in page is a sign-out; a page without the profile failed. */
export const DEMO_JUDGING: Judging = {
  signInPaths: ["/login", "/api/auth/signin"],
  check: (path, body) =>
    (path.startsWith("/api/") ? hasProfile(body) : body.includes(DASHBOARD_PROFILE_MARKER))
      ? undefined
      : "200 without profile",
};

export interface RunnerContext {
  readonly stack: Stack;
  readonly sessions: SessionSource;
  readonly waves: number;
  readonly timeoutMs: number;
  /** Aborted at the run's deadline. */
  readonly signal: AbortSignal;
  /** What is happening now, for the progress line. */
  readonly progress: (status: string) => void;
}

export interface ScenarioRun {
  readonly result: ScenarioResult;
  /** The first wave's samples, for the chart. */
  readonly firstWave: readonly Sample[];
  /** The first wave's backend refresh calls, for the chart's note; null when not readable. */
  readonly firstWaveRefreshCalls: number | null;
}

interface Counters {
  refreshCalls: number;
  reuseDetections: number;
  familiesRevoked: number;
  maxConcurrentRefreshes: number;
  storeCommands: number;
  stormStoreCommands: number;
}

export async function runScenario(mode: Mode, scenario: Scenario, context: RunnerContext): Promise<ScenarioRun> {
  const { stack } = context;
  let counters: Partial<Counters> = {};
  let firstWaveRefreshCalls: number | null = null;
  let reset = false;
  let before: StatsSnapshot | null = null;
  let afterStorm: StatsSnapshot | null = null;

  const run = await runStorm({
    targets: stack.deployments[mode]!.slice(0, scenario.instances),
    accounts: scenario.users,
    tabs: scenario.tabs,
    waves: context.waves,
    paths: PROTECTED_PATHS,
    late: true,
    session: context.sessions,
    request: { timeoutMs: context.timeoutMs, signal: context.signal, headers: {}, judging: DEMO_JUDGING },
    progress: context.progress,
    hooks: {
      async beforeStorm() {
        reset = await stack.resetStats();
        before = await stack.readStats();
      },
      // The refresh itself is the storm's: the late request asks the store again later (a replay), counted apart.
      async afterStorm() {
        afterStorm = await stack.readStats();
      },
      async afterWave(wave) {
        const after = await stack.readStats();
        const delta = waveDelta(before!, after, reset);
        if (before!.storeCommands !== null && afterStorm!.storeCommands !== null)
          delta.stormStoreCommands = afterStorm!.storeCommands - before!.storeCommands;
        if (wave === 1) firstWaveRefreshCalls = delta.refreshCalls ?? null;
        counters = addCounters(counters, delta);
      },
    },
  });

  const samples = run.waves.flatMap((wave) => wave.samples);
  const succeeded = samples.filter((sample) => sample.ok).length;
  const failure = run.signInFailures[0];
  const incomplete = run.incomplete ?? (failure ? `wave ${failure.wave}: setup failed: ${failure.reason}` : undefined);
  const result: ScenarioResult = {
    scenario,
    mode,
    waves: run.waves.length,
    expiries: run.waves.length * scenario.users,
    requests: samples.length,
    succeeded,
    failed: samples.length - succeeded,
    failures: countBy(samples, (sample) => sample.failure),
    outcomes: countBy(samples, (sample) => sample.outcome),
    refreshCalls: counters.refreshCalls ?? null,
    reuseDetections: counters.reuseDetections ?? null,
    familiesRevoked: counters.familiesRevoked ?? null,
    maxConcurrentRefreshes: counters.maxConcurrentRefreshes ?? null,
    usersSignedOut: run.waves.reduce((sum, wave) => sum + wave.signedOut.length, 0),
    storeCommands: counters.storeCommands ?? null,
    stormStoreCommands: counters.stormStoreCommands ?? null,
    durationMs: run.waves.reduce((sum, wave) => sum + wave.durationMs, 0),
    latency: latencyByOutcome(samples),
    failedSamples: samples.filter((sample) => !sample.ok).slice(0, FAILED_SAMPLES_KEPT),
    ...(incomplete === undefined ? {} : { incomplete }),
  };
  return { result, firstWave: run.waves[0]?.samples ?? [], firstWaveRefreshCalls };
}

function hasProfile(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { profile?: unknown };
    return typeof parsed.profile === "object" && parsed.profile !== null;
  } catch {
    return false;
  }
}

/** One wave's counter differences; a counter the stack cannot read stays absent (null in the result). */
function waveDelta(before: StatsSnapshot, after: StatsSnapshot, reset: boolean): Partial<Counters> {
  const delta: Partial<Counters> = {};
  if (before.backend && after.backend) {
    delta.refreshCalls = after.backend.refreshAttempts - before.backend.refreshAttempts;
    delta.reuseDetections = after.backend.reuseDetections - before.backend.reuseDetections;
    delta.familiesRevoked = after.backend.familiesRevoked - before.backend.familiesRevoked;
    // A gauge's maximum is only meaningful since a reset.
    if (reset) delta.maxConcurrentRefreshes = after.backend.maxConcurrentRefreshes;
  }
  if (before.storeCommands !== null && after.storeCommands !== null)
    delta.storeCommands = after.storeCommands - before.storeCommands;
  return delta;
}

function addCounters(total: Partial<Counters>, delta: Partial<Counters>): Partial<Counters> {
  const next: Partial<Counters> = { ...total };
  for (const key of Object.keys(delta) as Array<keyof Counters>) {
    const value = delta[key]!;
    next[key] = key === "maxConcurrentRefreshes" ? Math.max(next[key] ?? 0, value) : (next[key] ?? 0) + value;
  }
  return next;
}
