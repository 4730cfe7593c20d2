/**
 * The core, run as a Cloudflare module worker under workerd, for edge-tests/. It imports nothing but
 * the built package's core entry (`edge-session-refresh`, as an app installs it) and uses nothing but web-standard APIs (the bundle refuses node: built-ins and
 * the worker runs without nodejs_compat), so passing here means the core runs on an edge runtime.
 *
 * Routes:
 *   any path not below  the middleware's decision: gate.check on the request's cookies → JSON
 *                       {outcome, isolate, refreshToken?}, Set-Cookie for the writes, Server-Timing.
 *   POST /decode        {cookie}: the session cookie header decoded with the core's codec → {claims}
 *   POST /encode        {claims, maxAgeSeconds?}: encoded with the core's codec → {cookies}
 *   GET  /isolate       {isolate, hits}: hits counts this isolate's /isolate requests (memory probe)
 *
 * `refreshToken` in the gate's answer is for tests only: the app must never show a refresh token.
 */
import {
  chunkSessionCookie,
  createSessionRuntime,
  isSessionError,
  joinSessionCookie,
  parseCookieHeader,
  parseSettings,
  serializeSetCookie,
  sessionServerTiming,
  SETTING_NAMES,
  type Env,
  type GateResult,
  type SessionRuntime,
} from "edge-session-refresh";

/** What the tests read to tell isolates apart: the id, and the Server-Timing outcome. */
export interface GateAnswer {
  outcome: GateResult["outcome"];
  isolate: string;
  refreshToken?: string;
  retryAfterSeconds?: number;
}

export interface ErrorAnswer {
  readonly error: string;
  readonly code?: string;
  readonly message: string;
  readonly isolate: string;
}

// Per-isolate state. Workers forbid random values and I/O at global scope, so both are made on first use.
let isolateId: string | undefined;
let runtime: SessionRuntime | undefined;
let isolateHits = 0;

function isolate(): string {
  isolateId ??= crypto.randomUUID();
  return isolateId;
}

function sessionRuntime(bindings: Record<string, unknown>): SessionRuntime {
  if (runtime === undefined) {
    const env: Record<string, string | undefined> = {};
    for (const name of SETTING_NAMES) {
      const value = bindings[name];
      if (typeof value === "string") env[name] = value;
    }
    runtime = createSessionRuntime(parseSettings(env as Env, { nodeEnv: "production" }));
  }
  return runtime;
}

const worker = {
  async fetch(request: Request, bindings: Record<string, unknown>): Promise<Response> {
    const started = performance.now();
    try {
      const { pathname } = new URL(request.url);
      if (pathname === "/isolate") return json({ isolate: isolate(), hits: ++isolateHits });
      const session = sessionRuntime(bindings);
      if (pathname === "/decode" && request.method === "POST") return await decode(session, request);
      if (pathname === "/encode" && request.method === "POST") return await encode(session, request);
      return await gate(session, request, started);
    } catch (error) {
      // A bug or a misconfiguration: the tests treat any 500 as a failure and read `code` (never the text).
      const answer: ErrorAnswer = {
        error: error instanceof Error ? error.name : "unknown",
        code: isSessionError(error) ? error.code : undefined,
        message: error instanceof Error ? error.message : String(error),
        isolate: isolate(),
      };
      return json(answer, { status: 500 });
    }
  },
};

export default worker;

async function gate(session: SessionRuntime, request: Request, started: number): Promise<Response> {
  const result = await session.gate.check(parseCookieHeader(request.headers.get("cookie")));
  const headers = new Headers({ "content-type": "application/json", "cache-control": "no-store" });
  let status = 200;
  const answer: GateAnswer = { outcome: result.outcome, isolate: isolate() };
  switch (result.outcome) {
    case "valid":
      break;
    case "refreshed":
    case "joined":
    case "replayed":
      answer.refreshToken = result.claims.refreshToken;
      for (const write of result.writes) headers.append("set-cookie", serializeSetCookie(write));
      break;
    case "anonymous":
    case "rejected":
      // Like the app's API routes: 401, with the unreadable or refused session cookies expired.
      status = 401;
      for (const write of result.writes) headers.append("set-cookie", serializeSetCookie(write));
      break;
    case "unavailable":
      // Like the app: the session is kept (no cookie written), 503 with a retry hint.
      status = 503;
      answer.retryAfterSeconds = result.retryAfterSeconds;
      headers.set("retry-after", String(result.retryAfterSeconds));
      break;
  }
  // The same header the app's middleware writes (docs/ARCHITECTURE.md, "Behaviour").
  headers.append("server-timing", sessionServerTiming(result.outcome, performance.now() - started));
  return new Response(JSON.stringify(answer), { status, headers });
}

async function decode(session: SessionRuntime, request: Request): Promise<Response> {
  const { cookie } = (await request.json()) as { cookie?: string };
  const jwe = joinSessionCookie(parseCookieHeader(cookie), session.gate.cookieName);
  return json({ claims: await session.codec.decode(jwe) });
}

async function encode(session: SessionRuntime, request: Request): Promise<Response> {
  const { claims, maxAgeSeconds } = (await request.json()) as {
    claims: Record<string, unknown>;
    maxAgeSeconds?: number;
  };
  const jwe = await session.codec.encode(claims, maxAgeSeconds);
  return json({ cookies: chunkSessionCookie(session.gate.cookieName, jwe) });
}

function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    ...init,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...(init.headers as Record<string, string> | undefined),
    },
  });
}
