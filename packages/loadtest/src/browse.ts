/**
 * The browse scenario: simulated browsers sign in one after another over the ramp (so their sessions fall
 * due at staggered times), then every tab requests protected paths at a steady pace until the duration
 * ends, all tabs of a browser sharing one cookie jar as a browser does (each answer's Set-Cookie lands in
 * it, last write wins). With refresh ahead, each browser also calls `<auth-path>/session` marked
 * `x-session-refresh-ahead: 1` once its session enters the window the app states, as the package's client does.
 */
import { sessionCookieValue, storeCookies, type CookieJar } from "./cookies";
import { send, type RequestOptions } from "./request";
import type { SessionTimes } from "./sign-in";
import type { Sample } from "./types";

/** The header edge-session-refresh's client (`SessionRefreshAhead`) marks its background refresh with. */
export const REFRESH_AHEAD_HEADER = "x-session-refresh-ahead";
/** When the app states no refresh-ahead window, ask this long before the due time. */
const DEFAULT_AHEAD_MS = 30_000;

export interface BrowseOptions {
  readonly targets: readonly string[];
  readonly accounts: number;
  readonly tabs: number;
  readonly paths: readonly string[];
  readonly durationMs: number;
  /** Sign-ins are spread evenly over this long (staggered expiries). */
  readonly rampMs: number;
  /** Requests per second over all tabs once every browser is signed in (the arrival rate). */
  readonly ratePerSecond: number;
  /** Send refresh-ahead session calls (needs `sessionTimes`). */
  readonly refreshAhead: boolean;
  readonly authPath: string;
  signIn(account: number, baseUrl: string, signal: AbortSignal): Promise<CookieJar>;
  /** The session's stated times (null: the app states none); used for refresh ahead. */
  sessionTimes(jar: CookieJar, baseUrl: string, signal: AbortSignal): Promise<SessionTimes | null>;
  readonly request: Omit<RequestOptions, "originMs">;
  readonly progress?: (status: string) => void;
}

export interface BrowseRun {
  readonly samples: readonly Sample[];
  readonly durationMs: number;
  /** Accounts that were signed out at least once (each signs in again and browses on). */
  readonly signedOut: readonly number[];
  /** Per account, how many times it lost its session. */
  readonly signOuts: Readonly<Record<number, number>>;
  readonly signInFailures: ReadonlyArray<{ readonly account: number; readonly reason: string }>;
  readonly accountsSignedIn: number;
}

export async function runBrowse(options: BrowseOptions): Promise<BrowseRun> {
  const { targets, request } = options;
  const signal = request.signal;
  const origin = performance.now();
  const endAt = origin + options.durationMs;
  const sendOptions: RequestOptions = { ...request, originMs: origin };
  const samples: Sample[] = [];
  const signOuts: Record<number, number> = {};
  const signInFailures: Array<{ account: number; reason: string }> = [];
  let signedInCount = 0;
  const intervalMs = (options.tabs * options.accounts * 1000) / options.ratePerSecond;
  // Sleeps end at the duration's end (or the deadline); requests in flight then are answered and counted.
  const stop = AbortSignal.any([signal, AbortSignal.timeout(options.durationMs)]);
  const done = () => stop.aborted || performance.now() >= endAt;

  const browser = async (account: number) => {
    await sleep(origin + (options.rampMs * account) / Math.max(1, options.accounts) - performance.now(), stop);
    if (done()) return;
    const baseUrl = targets[account % targets.length]!;
    let jar: CookieJar;
    try {
      jar = await options.signIn(account, baseUrl, signal);
    } catch (error) {
      signInFailures.push({ account, reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    signedInCount++;
    // Session generations: the n-th distinct session cookie this browser held; requests that carried the
    // same cookie compete for the same refresh.
    const generations = new Map<string, number>();
    const generation = () => {
      const value = sessionCookieValue(jar);
      if (!generations.has(value)) generations.set(value, generations.size + 1);
      return generations.get(value)!;
    };
    let signingIn: Promise<void> | null = null;
    const signInAgain = () => {
      signingIn ??= (async () => {
        signOuts[account] = (signOuts[account] ?? 0) + 1;
        try {
          jar = await options.signIn(account, baseUrl, signal);
        } catch (error) {
          signInFailures.push({ account, reason: error instanceof Error ? error.message : String(error) });
        }
      })().finally(() => (signingIn = null));
      return signingIn;
    };

    const tab = async (tabIndex: number) => {
      await sleep((intervalMs * tabIndex) / options.tabs, stop);
      let n = 0;
      while (!done()) {
        const path = options.paths[(tabIndex + n++) % options.paths.length]!;
        const target = (account + tabIndex + n) % targets.length;
        const sentAt = performance.now();
        const sent = await send(
          {
            account,
            tab: tabIndex,
            target,
            phase: "browse",
            expiry: generation(),
            baseUrl: targets[target]!,
            path,
            jar,
          },
          sendOptions,
        );
        samples.push(sent.sample);
        storeCookies(jar, { headers: headersOf(sent.setCookies) });
        if (sent.sample.verdict === "signed-out") await signInAgain();
        else if (signingIn) await signingIn;
        await sleep(sentAt + intervalMs - performance.now(), stop);
      }
    };

    const ahead = async () => {
      while (!done()) {
        const times = await options.sessionTimes(jar, baseUrl, signal).catch(() => null);
        if (times === null) return;
        const askAt = times.aheadFrom ?? times.dueAt - DEFAULT_AHEAD_MS;
        await sleep(askAt - Date.now() + 250, stop);
        if (done()) return;
        const sent = await send(
          {
            account,
            tab: -1,
            target: account % targets.length,
            phase: "refresh-ahead",
            expiry: generation(),
            baseUrl,
            path: `${options.authPath}/session`,
            jar,
            headers: { [REFRESH_AHEAD_HEADER]: "1", accept: "application/json" },
          },
          sendOptions,
        );
        samples.push(sent.sample);
        storeCookies(jar, { headers: headersOf(sent.setCookies) });
        // Never faster than once a second, whatever the app states.
        await sleep(1_000, stop);
      }
    };

    await Promise.all([
      ...Array.from({ length: options.tabs }, (_, index) => tab(index)),
      ...(options.refreshAhead ? [ahead()] : []),
    ]);
  };

  const progressTimer = setInterval(() => {
    const left = Math.max(0, Math.round((endAt - performance.now()) / 1000));
    options.progress?.(`${signedInCount}/${options.accounts} signed in, ${samples.length} requests, ${left}s left`);
  }, 500);
  try {
    await Promise.all(Array.from({ length: options.accounts }, (_, account) => browser(account)));
  } finally {
    clearInterval(progressTimer);
  }
  const signedOut = Object.keys(signOuts).map(Number);
  return {
    samples,
    durationMs: performance.now() - origin,
    signedOut,
    signOuts,
    signInFailures,
    accountsSignedIn: signedInCount,
  };
}

function headersOf(setCookies: readonly string[]): Headers {
  const headers = new Headers();
  for (const line of setCookies) headers.append("set-cookie", line);
  return headers;
}

/** Resolves after `ms` (at once for ≤ 0), or early when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
