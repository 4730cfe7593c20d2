/**
 * The storm scenario: for each wave, accounts sign in (or keep the session the last wave left them), their
 * sessions fall due, every tab of every account fires at once with the due cookie (spread round-robin over
 * the targets), one late request per account still carries it, then every tab goes again with the cookies
 * its own response set. Hooks let a caller read its own counters around each wave.
 */
import type { CookieJar } from "./cookies";
import { openConnections, send, type RequestOptions, type Sent } from "./request";
import type { Sample } from "./types";

/** Sign-ins are setup, not load: a few at a time. */
const SIGN_IN_CONCURRENCY = 8;

/** How simulated browsers get a session and how it falls due. */
export interface SessionSource {
  /** Signs account `account` in at `baseUrl`; rejects with a reason when it cannot. */
  signIn(account: number, baseUrl: string, signal: AbortSignal): Promise<CookieJar>;
  /** The same session (same refresh token) once due for refresh: waited for, or (with the secret) minted. */
  due(jar: CookieJar, baseUrl: string, signal: AbortSignal): Promise<CookieJar>;
}

export interface WaveHooks {
  /** After the sessions fell due, right before the storm. */
  beforeStorm?(wave: number): Promise<void>;
  /** After the storm, before the late request. */
  afterStorm?(wave: number): Promise<void>;
  /** After the follow-up, with the wave's samples. */
  afterWave?(wave: number, samples: readonly Sample[]): Promise<void>;
}

export interface StormOptions {
  readonly targets: readonly string[];
  readonly accounts: number;
  readonly tabs: number;
  readonly waves: number;
  /** Protected paths; tab i requests paths[i % paths.length]. */
  readonly paths: readonly string[];
  /** Whether to send the late request (an old cookie after the storm): only when tabs > 1. */
  readonly late: boolean;
  readonly session: SessionSource;
  readonly request: Omit<RequestOptions, "originMs">;
  /** Open keep-alive connections before each storm, as a browser already holds them (default true). */
  readonly preconnect?: boolean;
  readonly hooks?: WaveHooks;
  readonly progress?: (status: string) => void;
}

export interface StormWave {
  readonly wave: number;
  /** Storm, late and follow-up samples; times are from the wave's storm start. */
  readonly samples: readonly Sample[];
  readonly durationMs: number;
  /** Accounts that took part in this wave. */
  readonly accounts: readonly number[];
  /** Accounts whose session did not survive the wave (a follow-up answered 401 or sent them to sign in). */
  readonly signedOut: readonly number[];
}

export interface StormRun {
  readonly waves: readonly StormWave[];
  /** Accounts that could not sign in, with why (by wave; an account signed out signs in anew next wave). */
  readonly signInFailures: ReadonlyArray<{ readonly account: number; readonly wave: number; readonly reason: string }>;
  /** Set when the run did not reach its last wave (deadline, no account could sign in). */
  readonly incomplete?: string;
}

export async function runStorm(options: StormOptions): Promise<StormRun> {
  const { targets, tabs, request } = options;
  const signal = request.signal;
  const survivors: Array<CookieJar | null> = new Array<CookieJar | null>(options.accounts).fill(null);
  const waves: StormWave[] = [];
  const signInFailures: Array<{ account: number; wave: number; reason: string }> = [];
  let incomplete: string | undefined;
  const home = (account: number) => targets[account % targets.length]!;

  for (let wave = 1; wave <= options.waves; wave++) {
    if (signal.aborted) {
      incomplete = `deadline reached after ${waves.length} of ${options.waves} waves`;
      break;
    }
    const status = (text: string) => options.progress?.(`wave ${wave}/${options.waves} ${text}`);
    status("signing in");
    const signedIn = await mapLimit(options.accounts, SIGN_IN_CONCURRENCY, async (account) => {
      const kept = survivors[account];
      if (kept) return kept;
      try {
        return await options.session.signIn(account, home(account), signal);
      } catch (error) {
        signInFailures.push({ account, wave, reason: error instanceof Error ? error.message : String(error) });
        return null;
      }
    });
    const present = signedIn.flatMap((jar, account) => (jar === null ? [] : [account]));
    if (present.length === 0) {
      incomplete = `wave ${wave}: no account could sign in`;
      break;
    }
    status(`waiting until ${present.length} session${present.length === 1 ? "" : "s"} fall due`);
    let dueJars: Map<number, CookieJar>;
    try {
      // All at once: waited-for expiries must overlap across accounts.
      const due = await Promise.all(
        present.map((account) => options.session.due(signedIn[account]!, home(account), signal)),
      );
      dueJars = new Map(present.map((account, index) => [account, due[index]!]));
    } catch (error) {
      incomplete = `wave ${wave}: ${signal.aborted ? "deadline reached while waiting for the sessions to fall due" : `could not make the sessions due: ${error instanceof Error ? error.message : String(error)}`}`;
      break;
    }

    if (options.preconnect !== false)
      await openConnections(targets, Math.ceil((tabs * present.length) / targets.length), request.headers, signal);
    await options.hooks?.beforeStorm?.(wave);
    const origin = performance.now();
    const sendOptions: RequestOptions = { ...request, originMs: origin };
    const stormPlans = present.flatMap((account) =>
      Array.from({ length: tabs }, (_, tab) => {
        const target = (account * tabs + tab) % targets.length;
        return { account, tab, target, path: options.paths[tab % options.paths.length]!, jar: dueJars.get(account)! };
      }),
    );
    const storm = await counted(
      stormPlans.map((plan) =>
        send({ ...plan, phase: "storm", expiry: wave, baseUrl: targets[plan.target]! }, sendOptions),
      ),
      (done) => status(`storm ${done}/${stormPlans.length}`),
    );
    await options.hooks?.afterStorm?.(wave);
    const late =
      options.late && tabs > 1
        ? await Promise.all(
            present.map((account) => {
              const target = (account * tabs + tabs) % targets.length;
              const path = options.paths[tabs % options.paths.length]!;
              return send(
                {
                  account,
                  tab: tabs,
                  target,
                  phase: "late",
                  expiry: wave,
                  baseUrl: targets[target]!,
                  path,
                  jar: dueJars.get(account)!,
                },
                sendOptions,
              );
            }),
          )
        : [];
    const followUp = await counted(
      storm.map(({ sample, jar }) =>
        send(
          {
            account: sample.account,
            tab: sample.tab,
            target: sample.target,
            phase: "follow-up",
            expiry: wave,
            baseUrl: targets[sample.target]!,
            path: sample.path,
            jar,
          },
          sendOptions,
        ),
      ),
      (done) => status(`follow-up ${done}/${storm.length}`),
    );
    if (signal.aborted) {
      // Requests cut off by the deadline say nothing about the app: the wave is dropped, not counted as failures.
      incomplete = `deadline reached during wave ${wave} of ${options.waves}; that wave is not counted`;
      break;
    }
    const durationMs = performance.now() - origin;
    const samples = [...storm, ...late, ...followUp].map((sent) => sent.sample);
    const signedOut: number[] = [];
    for (const account of present) {
      const tabsOf = followUp.filter((sent) => sent.sample.account === account);
      // Signed out means sent to sign in or refused with a 401; a 503 or a timeout keeps the session.
      const lost = tabsOf.some((sent) => sent.sample.verdict === "signed-out");
      if (lost) signedOut.push(account);
      // A signed-out account signs in again next wave; a kept session falls due again, same refresh-token family.
      survivors[account] = lost ? null : (tabsOf[0]?.jar ?? null);
    }
    await options.hooks?.afterWave?.(wave, samples);
    waves.push({ wave, samples, durationMs, accounts: present, signedOut });
  }
  return { waves, signInFailures, ...(incomplete === undefined ? {} : { incomplete }) };
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

export async function mapLimit<T>(count: number, limit: number, task: (index: number) => Promise<T>): Promise<T[]> {
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
