/**
 * One protected request as a tab sends it: the tab's cookies in, the response's Server-Timing outcome,
 * whether the page really worked (the backend profile is in it), and the tab's cookies after it.
 */
import { cookieHeader, storeCookies, type CookieJar } from "../../test-support/sign-in";
import type { Outcome, Phase, Sample } from "./types";
import { OUTCOMES } from "./types";

/** The protected routes of docs/ARCHITECTURE.md ("Behaviour"); tabs alternate between them. */
export const PROTECTED_PATHS = ["/dashboard", "/api/profile"] as const;
/** What the dashboard renders only when the backend profile came back for the current access token. */
const DASHBOARD_PROFILE_MARKER = 'data-testid="profile-name"';
const SERVER_TIMING = /session;desc="([a-z]+)";dur=([\d.]+)/;
/** Answered by Next's static file handler (404) before any middleware or rendering: the cheapest request. */
const CONNECTION_PROBE_PATH = "/_next/static/loadtest-connection-probe";

export interface RequestPlan {
  readonly user: number;
  readonly tab: number;
  readonly instance: number;
  readonly phase: Phase;
  readonly baseUrl: string;
  readonly path: string;
  readonly jar: CookieJar;
}

export interface RequestOptions {
  /** performance.now() of the wave's storm start: samples are timed from it. */
  readonly originMs: number;
  readonly timeoutMs: number;
  /** Aborted at the run's deadline. */
  readonly signal: AbortSignal;
}

export interface Sent {
  readonly sample: Sample;
  /** The tab's cookies after the response (Set-Cookie applied), as its next request would carry them. */
  readonly jar: CookieJar;
}

export async function send(plan: RequestPlan, options: RequestOptions): Promise<Sent> {
  const started = performance.now();
  const base = {
    user: plan.user,
    tab: plan.tab,
    instance: plan.instance,
    phase: plan.phase,
    path: plan.path,
    startMs: started - options.originMs,
  };
  try {
    const response = await fetch(`${plan.baseUrl}${plan.path}`, {
      headers: { cookie: cookieHeader(plan.jar), accept: plan.path.startsWith("/api/") ? "application/json" : "text/html" },
      redirect: "manual",
      signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal]),
    });
    const body = await response.text();
    const ended = performance.now();
    const timing = SERVER_TIMING.exec(response.headers.get("server-timing") ?? "");
    const outcome = timing && (OUTCOMES as readonly string[]).includes(timing[1]!) ? (timing[1] as Outcome) : "none";
    const failure = judge(plan.path, response, body);
    const sample: Sample = {
      ...base,
      endMs: ended - options.originMs,
      status: response.status,
      outcome,
      middlewareMs: timing ? Number(timing[2]) : null,
      ok: failure === undefined,
      ...(failure === undefined ? {} : { failure }),
    };
    return { sample, jar: storeCookies(new Map(plan.jar), response) };
  } catch (error) {
    const sample: Sample = {
      ...base,
      endMs: performance.now() - options.originMs,
      status: 0,
      outcome: "none",
      middlewareMs: null,
      ok: false,
      failure: describeError(error, options.signal),
    };
    return { sample, jar: plan.jar };
  }
}

/**
 * Whether a failed request means the user lost the session (sent to /login, or a 401), as opposed to a
 * transient failure (a 503, a timeout, a page rendered without the profile) after which the session is kept.
 */
export function signedOut(sample: Pick<Sample, "failure">): boolean {
  const failure = sample.failure;
  return failure !== undefined && (/^401\b/.test(failure) || / → \/login$| → \/login\?/.test(failure));
}

/** undefined when the request worked; else a short reason that groups well in a table. */
export function judge(path: string, response: Pick<Response, "status" | "headers">, body: string): string | undefined {
  const { status } = response;
  if (status >= 300 && status < 400) {
    const location = response.headers.get("location") ?? "";
    const target = location ? new URL(location, "http://app.invalid") : null;
    const error = target?.searchParams.get("error");
    return `${status} → ${target?.pathname ?? "?"}${error ? `?error=${error}` : ""}`;
  }
  if (status !== 200) return `${status} ${errorCode(body) ?? ""}`.trim();
  if (path.startsWith("/api/")) return hasProfile(body) ? undefined : "200 without profile";
  return body.includes(DASHBOARD_PROFILE_MARKER) ? undefined : "200 without profile";
}

function hasProfile(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { profile?: unknown };
    return typeof parsed.profile === "object" && parsed.profile !== null;
  } catch {
    return false;
  }
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
 * Leaves `perUrl` idle keep-alive connections open to each app, so the storm's requests find a connection
 * ready as a browser's would, instead of a thousand handshakes overflowing the server's accept queue
 * (Node listens with a backlog of 511; the overflow would show up as 1 s SYN retransmits).
 */
export async function openConnections(urls: readonly string[], perUrl: number, signal: AbortSignal): Promise<void> {
  await Promise.allSettled(
    urls.flatMap((url) =>
      Array.from({ length: perUrl }, async () => {
        const response = await fetch(`${url}${CONNECTION_PROBE_PATH}`, { signal: AbortSignal.any([AbortSignal.timeout(10_000), signal]) });
        await response.arrayBuffer();
      }),
    ),
  );
}
