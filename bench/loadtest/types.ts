/**
 * The repository load test's vocabulary: a scenario (tabs × instances × users), the two modes it runs in,
 * and the per-scenario result that the report, the chart and the JSON file are made of. A request's sample
 * and its verdict are the engine's (packages/loadtest).
 */
import type { OutcomeLatency, Sample } from "edge-session-refresh-loadtest";

export type { Outcome, OutcomeLatency, Sample } from "edge-session-refresh-loadtest";

/** `locked`: the app as shipped (Redis lock). `baseline`: the same build with SESSION_UNLOCKED_BASELINE=1. */
export type Mode = "locked" | "baseline";
export const MODES: readonly Mode[] = ["locked", "baseline"];

export interface Scenario {
  /** Concurrent tabs per user, all holding the same expired cookie. */
  readonly tabs: number;
  /** App instances the tabs are spread over, round-robin. */
  readonly instances: number;
  /** Users expiring at the same moment. */
  readonly users: number;
}

/** What the reference backend counts (dev/backend/stats.ts), as far as the load test reads it. */
export interface BackendCounters {
  readonly logins: number;
  readonly refreshes: number;
  readonly refreshAttempts: number;
  readonly reuseDetections: number;
  readonly familiesRevoked: number;
  readonly maxConcurrentRefreshes: number;
}

/** One reading of the counters the load test can see; null where it cannot see them. */
export interface StatsSnapshot {
  readonly backend: BackendCounters | null;
  /** Commands the lock store (the Upstash REST bridge) ran. */
  readonly storeCommands: number | null;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly mode: Mode;
  readonly waves: number;
  /** Session expiries the waves produced: users × waves. */
  readonly expiries: number;
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly failures: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  /** Calls to the backend's refresh endpoint during the waves; null when backend stats are not readable. */
  readonly refreshCalls: number | null;
  readonly reuseDetections: number | null;
  readonly familiesRevoked: number | null;
  readonly maxConcurrentRefreshes: number | null;
  /** Users whose session did not survive a wave (a follow-up tab was signed out), summed over waves. */
  readonly usersSignedOut: number;
  /** Lock-store commands of the whole waves: storm, late replay and follow-up. */
  readonly storeCommands: number | null;
  /** Of those, the storms' own (the refresh), without the late request's replay. */
  readonly stormStoreCommands: number | null;
  /** Storm start to follow-up end, summed over waves. */
  readonly durationMs: number;
  readonly latency: readonly OutcomeLatency[];
  /** The first failed requests with their wave, for diagnosis in the JSON (bounded). */
  readonly failedSamples: readonly Sample[];
  /** Set when the scenario did not run to the end (deadline, setup failure). */
  readonly incomplete?: string;
}

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly memoryGb: number;
  /** 1-minute load average when the run started: above the CPU count, timings are not to be trusted. */
  readonly loadAverage: number;
}

export interface RunSettings {
  readonly target: "local" | "remote";
  /** What ran: instances, store, backend. */
  readonly stack: readonly string[];
  readonly waves: number;
  readonly refreshLatencyMs: number | null;
  readonly requestTimeoutMs: number;
  readonly deadlineSeconds: number;
  readonly commit: string | null;
}

/** A storm drawn in a chart: the first wave of one scenario, both modes. */
export interface ChartStorm {
  /** `largest` (most concurrent requests) or `one-user` (most tabs of a single user). */
  readonly name: "largest" | "one-user";
  readonly scenario: Scenario;
  readonly panels: ReadonlyArray<{ readonly mode: Mode; readonly samples: readonly Sample[]; readonly note: string }>;
}

export interface RunResult {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo;
  readonly settings: RunSettings;
  readonly results: readonly ScenarioResult[];
  readonly charts: readonly ChartStorm[];
  /** Scenarios not run, with why. */
  readonly skipped: ReadonlyArray<{ readonly scenario: Scenario; readonly reason: string }>;
}

export function scenarioLabel(scenario: Scenario): string {
  return `${scenario.tabs} tab${scenario.tabs === 1 ? "" : "s"} × ${scenario.instances} inst × ${scenario.users} user${scenario.users === 1 ? "" : "s"}`;
}

/** Requests one wave sends: storm, one late request per user when there are several tabs, follow-up. */
export function requestsPerWave(scenario: Scenario): number {
  const storm = scenario.tabs * scenario.users;
  return storm + (scenario.tabs > 1 ? scenario.users : 0) + storm;
}
