/**
 * The load test's vocabulary: a scenario (tabs × instances × users), the two modes it runs in, one
 * request's sample, and the per-scenario result that the report, the chart and the JSON file are made of.
 */

/** `locked`: the app as shipped (Redis lock). `baseline`: the same build with SESSION_UNLOCKED_BASELINE=1. */
export type Mode = "locked" | "baseline";
export const MODES: readonly Mode[] = ["locked", "baseline"];

/** The Server-Timing outcomes of docs/ARCHITECTURE.md ("Behaviour"), plus `none` for a response that did not carry one. */
export type Outcome = "valid" | "refreshed" | "joined" | "replayed" | "anonymous" | "rejected" | "unavailable" | "none";
export const OUTCOMES: readonly Outcome[] = ["valid", "refreshed", "joined", "replayed", "anonymous", "rejected", "unavailable", "none"];

export interface Scenario {
  /** Concurrent tabs per user, all holding the same expired cookie. */
  readonly tabs: number;
  /** App instances the tabs are spread over, round-robin. */
  readonly instances: number;
  /** Users expiring at the same moment. */
  readonly users: number;
}

/**
 * A wave's three phases: the `storm` (every tab at once with the expired cookie), one `late` request per
 * user still carrying the old cookie after the storm (a tab whose request was queued), and the
 * `follow-up` (every tab once more with the cookies its storm response set, as a browser would).
 */
export type Phase = "storm" | "late" | "follow-up";

export interface Sample {
  readonly user: number;
  readonly tab: number;
  readonly instance: number;
  readonly phase: Phase;
  readonly path: string;
  /** Milliseconds since the wave's storm started. */
  readonly startMs: number;
  readonly endMs: number;
  /** HTTP status; 0 when no response arrived (timeout, connection error). */
  readonly status: number;
  readonly outcome: Outcome;
  /** The middleware's own `dur` from Server-Timing, or null. */
  readonly middlewareMs: number | null;
  /** 200 and the backend profile in the body: what a user would call "the page worked". */
  readonly ok: boolean;
  /** Why it did not work, short and groupable ("401 session_expired", "timeout", …). */
  readonly failure?: string;
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

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
}

export interface OutcomeLatency {
  readonly outcome: Outcome;
  /** Requests with this outcome that worked; failed ones are counted in `failed`, not timed here. */
  readonly count: number;
  /** Client-observed: request sent to body read, queueing in the app included. */
  readonly client: Summary;
  /** The middleware's Server-Timing `dur`: the session work alone. */
  readonly middleware: Summary;
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
  /** Users whose session did not survive a wave (any follow-up tab failed), summed over waves. */
  readonly usersSignedOut: number;
  /** Lock-store commands of the whole waves: storm, late replay and follow-up. */
  readonly storeCommands: number | null;
  /** Of those, the storms' own (the refresh), without the late request's replay. */
  readonly stormStoreCommands: number | null;
  /** Storm start to follow-up end, summed over waves. */
  readonly durationMs: number;
  readonly latency: readonly OutcomeLatency[];
  /** The first failed requests with their wave, for diagnosis in the JSON (bounded). */
  readonly failedSamples: ReadonlyArray<Sample & { readonly wave: number }>;
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
