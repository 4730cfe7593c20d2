/**
 * One request as a tab sends it: the browser's cookies in, redirects not followed, the verdict (served,
 * signed out, unavailable, failed), the Server-Timing outcome, and the cookies after it.
 */
import { cookieHeader, storeCookies, type CookieJar } from "./cookies";
import { OUTCOMES, type Outcome, type Phase, type Sample, type Verdict } from "./types";

const SERVER_TIMING = /(?:^|,)\s*session;desc="?([a-z-]+)"?(?:;dur=([\d.]+))?/;
/** Answered by Next's static file handler (404) before any middleware or rendering: the cheapest request. */
const CONNECTION_PROBE_PATH = "/_next/static/loadtest-connection-probe";

/** How the requests of a run judge their answers. */
export interface Judging {
  /** Paths a redirect to which means "signed out" (pathname match): `/login` and `<auth-path>/signin` by default. */
  readonly signInPaths: readonly string[];
  /**
   * Optional content check of a served answer: undefined when the page really worked, else a short reason
   * (the repository's own load test checks that the backend profile is on the page).
   */
  readonly check?: (path: string, body: string) => string | undefined;
}

export interface RequestPlan {
  readonly account: number;
  readonly tab: number;
  readonly target: number;
  readonly phase: Phase;
  readonly expiry: number;
  readonly baseUrl: string;
  readonly path: string;
  readonly jar: CookieJar;
  /** Extra headers for this request only (x-session-refresh-ahead). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  /** performance.now() of the origin that samples are timed from. */
  readonly originMs: number;
  readonly timeoutMs: number;
  /** Aborted at the run's deadline. */
  readonly signal: AbortSignal;
  /** Sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
  readonly judging: Judging;
}

export interface Sent {
  readonly sample: Sample;
  /** The tab's cookies after the response (Set-Cookie applied to a copy), as its next request would carry them. */
  readonly jar: CookieJar;
  /** The response's own Set-Cookie lines, for a browser whose tabs share one jar. */
  readonly setCookies: readonly string[];
}

export async function send(plan: RequestPlan, options: RequestOptions): Promise<Sent> {
  const started = performance.now();
  const base = {
    account: plan.account,
    tab: plan.tab,
    target: plan.target,
    phase: plan.phase,
    expiry: plan.expiry,
    path: plan.path,
    startMs: started - options.originMs,
  };
  try {
    const response = await fetch(`${plan.baseUrl}${plan.path}`, {
      headers: {
        accept: isApiPath(plan.path) ? "application/json" : "text/html",
        ...options.headers,
        ...plan.headers,
        cookie: cookieHeader(plan.jar),
      },
      redirect: "manual",
      signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal]),
    });
    const body = await response.text();
    const ended = performance.now();
    const timing = parseServerTiming(response.headers.get("server-timing"));
    const { verdict, failure } = judge(plan.path, response, body, options.judging);
    const sample: Sample = {
      ...base,
      endMs: ended - options.originMs,
      status: response.status,
      verdict,
      outcome: timing.outcome,
      middlewareMs: timing.durationMs,
      ok: failure === undefined,
      ...(failure === undefined ? {} : { failure }),
    };
    return { sample, jar: storeCookies(new Map(plan.jar), response), setCookies: response.headers.getSetCookie() };
  } catch (error) {
    const sample: Sample = {
      ...base,
      endMs: performance.now() - options.originMs,
      status: 0,
      verdict: "failed",
      outcome: "none",
      middlewareMs: null,
      ok: false,
      failure: describeError(error, options.signal),
    };
    return { sample, jar: plan.jar, setCookies: [] };
  }
}

/** The `session` entry of a Server-Timing header: its outcome (`none` without one) and `dur`. */
export function parseServerTiming(header: string | null): { outcome: Outcome; durationMs: number | null } {
  const match = SERVER_TIMING.exec(header ?? "");
  if (!match) return { outcome: "none", durationMs: null };
  const outcome = (OUTCOMES as readonly string[]).includes(match[1]!) ? (match[1] as Outcome) : "none";
  return { outcome, durationMs: match[2] === undefined ? null : Number(match[2]) };
}

/** The verdict of an answer, and for anything but a working page a short reason that groups well in a table. */
export function judge(
  path: string,
  response: Pick<Response, "status" | "headers">,
  body: string,
  judging: Judging,
): { verdict: Verdict; failure?: string } {
  const { status } = response;
  if (status >= 300 && status < 400) {
    const location = response.headers.get("location") ?? "";
    const target = location ? new URL(location, "http://app.invalid") : null;
    const error = target?.searchParams.get("error");
    const failure = `${status} → ${target?.pathname ?? "?"}${error ? `?error=${error}` : ""}`;
    const toSignIn = target !== null && judging.signInPaths.some((signInPath) => samePath(target.pathname, signInPath));
    return { verdict: toSignIn ? "signed-out" : "failed", failure };
  }
  if (status >= 200 && status < 300) {
    const problem = judging.check?.(path, body);
    return problem === undefined ? { verdict: "served" } : { verdict: "failed", failure: problem };
  }
  const failure = `${status} ${errorCode(body) ?? ""}`.trim();
  if (status === 401) return { verdict: "signed-out", failure };
  if (status === 503) return { verdict: "unavailable", failure };
  return { verdict: "failed", failure };
}

function samePath(pathname: string, signInPath: string): boolean {
  const strip = (value: string) => (value.length > 1 ? value.replace(/\/+$/, "") : value);
  const wanted = strip(signInPath);
  const actual = strip(pathname);
  // A basePath in front of the sign-in page still counts: /app/login is /login of an app under /app.
  return actual === wanted || actual.endsWith(wanted);
}

function isApiPath(path: string): boolean {
  return path.startsWith("/api/") || path.includes("/api/");
}

function errorCode(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    return typeof parsed.error === "string" ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}

function describeError(error: unknown, runSignal: AbortSignal): string {
  if (runSignal.aborted) return "deadline";
  const name = (error as { name?: string } | null)?.name;
  if (name === "TimeoutError") return "timeout";
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return `network ${cause?.code ?? name ?? "error"}`;
}

/**
 * Leaves `perUrl` idle keep-alive connections open to each target, so a storm's requests find a connection
 * ready as a browser's would, instead of a thousand handshakes overflowing the server's accept queue.
 */
export async function openConnections(
  urls: readonly string[],
  perUrl: number,
  headers: Readonly<Record<string, string>>,
  signal: AbortSignal,
): Promise<void> {
  await Promise.allSettled(
    urls.flatMap((url) =>
      Array.from({ length: perUrl }, async () => {
        const response = await fetch(`${url}${CONNECTION_PROBE_PATH}`, {
          headers,
          signal: AbortSignal.any([AbortSignal.timeout(10_000), signal]),
        });
        await response.arrayBuffer();
      }),
    ),
  );
}
