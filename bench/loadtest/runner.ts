/**
 * Runs one scenario in one mode: for each wave, users sign in (or keep the session the last wave left
 * them), their sessions expire, every tab fires at once with the expired cookie (the storm), one late
 * request per user still carries it, then every tab goes again with the cookies its response set. The
 * backend's and the lock store's counters are read around each wave.
 */
import type { CookieJar } from "../../test-support/sign-in";
import { openConnections, PROTECTED_PATHS, send, signedOut, type RequestOptions, type Sent } from "./request";
import type { SessionMaker } from "./sessions";
import type { Stack } from "./stack";
import { countBy, latencyByOutcome } from "./stats";
import type { Mode, Sample, Scenario, ScenarioResult, StatsSnapshot } from "./types";

/** Sign-ins are setup, not load: a few at a time. */
const SIGN_IN_CONCURRENCY = 8;
/** Failed requests kept whole in the JSON, for diagnosis. */
const FAILED_SAMPLES_KEPT = 100;

export interface RunnerContext {
  readonly stack: Stack;
  readonly sessions: SessionMaker;
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
  const { stack, sessions, signal } = context;
  const urls = stack.deployments[mode]!.slice(0, scenario.instances);
  const survivors: Array<CookieJar | null> = new Array<CookieJar | null>(scenario.users).fill(null);
  const samples: Sample[] = [];
  const failedSamples: Array<Sample & { wave: number }> = [];
  let firstWave: Sample[] = [];
  let firstWaveRefreshCalls: number | null = null;
  let counters: Partial<Counters> = {};
  let usersSignedOut = 0;
  let durationMs = 0;
  let wavesRun = 0;
  let incomplete: string | undefined;

  for (let wave = 1; wave <= context.waves; wave++) {
    if (signal.aborted) {
      incomplete = `deadline reached after ${wavesRun} of ${context.waves} waves`;
      break;
    }
    const status = (text: string) => context.progress(`wave ${wave}/${context.waves} ${text}`);
    let expired: CookieJar[];
    try {
      status("signing in");
      const signedIn = await mapLimit(
        scenario.users,
        SIGN_IN_CONCURRENCY,
        async (user) => survivors[user] ?? (await sessions.signIn(stack.account(user), urls[user % urls.length]!, signal, context.timeoutMs)),
      );
      status("expiring sessions");
      // All at once: without the secret this waits for the real expiry, which must overlap across users.
      expired = await Promise.all(signedIn.map((jar, user) => sessions.expire(jar, urls[user % urls.length]!, signal)));
    } catch (error) {
      incomplete = `wave ${wave}: setup failed: ${error instanceof Error ? error.message : String(error)}`;
      break;
    }

    // Like browsers that already hold a connection: the storm then measures the app, not TCP accept queues.
    await openConnections(urls, Math.ceil((scenario.tabs * scenario.users) / urls.length), signal);
    const reset = await stack.resetStats();
    const before = await stack.readStats();
    const origin = performance.now();
    const options: RequestOptions = { originMs: origin, timeoutMs: context.timeoutMs, signal };
    const stormPlans = [];
    for (let user = 0; user < scenario.users; user++) {
      for (let tab = 0; tab < scenario.tabs; tab++) {
        const index = user * scenario.tabs + tab;
        stormPlans.push({ user, tab, instance: index % urls.length, path: PROTECTED_PATHS[tab % PROTECTED_PATHS.length]!, jar: expired[user]! });
      }
    }
    const storm = await counted(
      stormPlans.map((plan) => send({ ...plan, phase: "storm", baseUrl: urls[plan.instance]! }, options)),
      (done) => status(`storm ${done}/${stormPlans.length}`),
    );
    // The refresh itself is the storm's: the late request below asks the store again later (a replay), which
    // is a request of its own, counted apart.
    const afterStorm = await stack.readStats();
    const late =
      scenario.tabs > 1
        ? await Promise.all(
            expired.map((jar, user) => {
              const instance = (user * scenario.tabs + scenario.tabs) % urls.length;
              const path = PROTECTED_PATHS[scenario.tabs % PROTECTED_PATHS.length]!;
              return send({ user, tab: scenario.tabs, instance, phase: "late", baseUrl: urls[instance]!, path, jar }, options);
            }),
          )
        : [];
    const followUp = await counted(
      storm.map(({ sample, jar }) =>
        send(
          { user: sample.user, tab: sample.tab, instance: sample.instance, phase: "follow-up", baseUrl: urls[sample.instance]!, path: sample.path, jar },
          options,
        ),
      ),
      (done) => status(`follow-up ${done}/${storm.length}`),
    );
    if (signal.aborted) {
      // Requests cut off by the deadline say nothing about the app: the wave is dropped, not counted as failures.
      incomplete = `deadline reached during wave ${wave} of ${context.waves}; that wave is not counted`;
      break;
    }
    durationMs += performance.now() - origin;
    const after = await stack.readStats();
    const delta = waveDelta(before, after, reset);
    if (before.storeCommands !== null && afterStorm.storeCommands !== null) delta.stormStoreCommands = afterStorm.storeCommands - before.storeCommands;
    if (wave === 1) firstWaveRefreshCalls = delta.refreshCalls ?? null;
    counters = addCounters(counters, delta);

    const waveSamples = [...storm, ...late, ...followUp].map((sent) => sent.sample);
    samples.push(...waveSamples);
    for (const sample of waveSamples) if (!sample.ok && failedSamples.length < FAILED_SAMPLES_KEPT) failedSamples.push({ ...sample, wave });
    if (wave === 1) firstWave = waveSamples;
    for (let user = 0; user < scenario.users; user++) {
      const tabs = followUp.filter((sent) => sent.sample.user === user);
      // Signed out means sent to /login or refused with a 401; a 503 or a timeout keeps the session.
      const lost = tabs.some((sent) => signedOut(sent.sample));
      if (lost) usersSignedOut++;
      // A signed-out user signs in again next wave; a kept session expires again, same refresh-token family.
      survivors[user] = lost ? null : (tabs[0]?.jar ?? null);
    }
    wavesRun++;
  }

  const succeeded = samples.filter((sample) => sample.ok).length;
  const result: ScenarioResult = {
    scenario,
    mode,
    waves: wavesRun,
    expiries: wavesRun * scenario.users,
    requests: samples.length,
    succeeded,
    failed: samples.length - succeeded,
    failures: countBy(samples, (sample) => sample.failure),
    outcomes: countBy(samples, (sample) => sample.outcome),
    refreshCalls: counters.refreshCalls ?? null,
    reuseDetections: counters.reuseDetections ?? null,
    familiesRevoked: counters.familiesRevoked ?? null,
    maxConcurrentRefreshes: counters.maxConcurrentRefreshes ?? null,
    usersSignedOut,
    storeCommands: counters.storeCommands ?? null,
    stormStoreCommands: counters.stormStoreCommands ?? null,
    durationMs,
    latency: latencyByOutcome(samples),
    failedSamples,
    ...(incomplete === undefined ? {} : { incomplete }),
  };
  return { result, firstWave, firstWaveRefreshCalls };
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
  if (before.storeCommands !== null && after.storeCommands !== null) delta.storeCommands = after.storeCommands - before.storeCommands;
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

/** Promise.all that reports how many have settled as they do. */
async function counted(promises: Array<Promise<Sent>>, onProgress: (done: number) => void): Promise<Sent[]> {
  let done = 0;
  return Promise.all(
    promises.map((promise) =>
      promise.then((sent) => {
        onProgress(++done);
        return sent;
      }),
    ),
  );
}

async function mapLimit<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
  return results;
}
