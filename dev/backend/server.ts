/**
 * The reference backend: a stand-in for a custom auth backend with rotating refresh tokens and reuse
 * detection, for `npm run backend`, `npm run dev`, integration, load and storm tests. This file owns the
 * HTTP lifecycle, routing and the test-control endpoints; token logic lives in tokens.ts and grants.ts, the
 * JSON endpoints in handlers.ts, the OAuth ones in oauth.ts.
 */

import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createAccessTokenSigner } from "./access-tokens";
import { createGrants } from "./grants";
import { createAuthHandlers, type Account, type Handler } from "./handlers";
import { readBody, sendJson } from "./http";
import { createLoginRecorder, type LoginRequest } from "./login-record";
import { createOAuthHandlers } from "./oauth";
import {
  BackendOptionsError,
  RUNTIME_OPTION_KEYS,
  parseRuntimePatch,
  resolveOptions,
  type BackendOptions,
  type RuntimeOptionsPatch,
} from "./options";
import { createStatsRecorder, type BackendStats } from "./stats";
import { createTokenStore } from "./tokens";

export type {
  BackendOptions,
  BackendShape,
  BackendUser,
  FailMode,
  OAuthClient,
  RotationPolicy,
  RuntimeOptionsPatch,
} from "./options";
export { BackendOptionsError, DEFAULT_OPTIONS, DEMO_USER, parseUsers, resolveOptions } from "./options";
export type { BackendStats } from "./stats";
export type { LoginRequest } from "./login-record";

/**
 * The paths. The JSON ones (login, refresh, logout, profile) answer in every shape, in that shape's dialect;
 * `token` and `revoke` are the `oauth` shape's RFC 6749 / RFC 7009 endpoints and answer 404 in the others.
 */
export const BACKEND_PATHS = Object.freeze({
  login: "/api/auth",
  refresh: "/api/auth/refresh-token",
  logout: "/api/auth/logout",
  profile: "/api/me",
  token: "/oauth/token",
  revoke: "/oauth/revoke",
  health: "/healthz",
  stats: "/__stats",
  statsReset: "/__stats/reset",
  control: "/__control",
});

export interface BackendSizes {
  /** Live and consumed refresh-token records. */
  refreshTokens: number;
  families: number;
}

export interface ReferenceBackend {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4000`. */
  url: string;
  port: number;
  stats(): BackendStats;
  resetStats(): void;
  /** Changes runtime behaviour at once; throws BackendOptionsError for bad values. */
  setOptions(patch: RuntimeOptionsPatch): void;
  /** Sizes of the in-memory maps, to check that sweeping bounds them. */
  sizes(): BackendSizes;
  /** Sign-in requests received (login and token endpoints), with their X-Forwarded-For; cleared by resetStats(). */
  loginRequests(): readonly LoginRequest[];
  /** Every access and refresh token handed out since start (the newest 100 000), for log-leak checks. */
  issuedTokens(): readonly string[];
  /** Stops listening and drops open connections, hung refreshes included. Safe to call twice. */
  close(): Promise<void>;
}

type Route = Partial<Record<"GET" | "POST", Handler>>;

/** Tokens remembered for `issuedTokens()`: enough for any test, bounded for a long load test. */
const MAX_REMEMBERED_TOKENS = 100_000;

/** Starts a server and resolves once it listens; rejects if the port is taken or an option is invalid. */
export async function startReferenceBackend(overrides: Partial<BackendOptions> = {}): Promise<ReferenceBackend> {
  let options = resolveOptions(overrides);
  const accounts: Account[] = options.users.map((user, index) => ({ id: `user-${index + 1}`, ...user }));
  const { clock } = options;
  const tokens = createTokenStore(clock);
  const signer = createAccessTokenSigner(clock);
  const stats = createStatsRecorder();
  const logins = createLoginRecorder();
  const lifetime = new AbortController();
  // Every delayed answer listens on this one signal; hundreds at once are expected under load, not a leak.
  setMaxListeners(0, lifetime.signal);
  const issued: string[] = [];
  const grants = createGrants({
    options: () => options,
    accounts,
    tokens,
    signer,
    stats,
    onIssued: (token) => {
      issued.push(token);
      if (issued.length > MAX_REMEMBERED_TOKENS) issued.splice(0, issued.length - MAX_REMEMBERED_TOKENS);
    },
  });
  const deps = { options: () => options, grants, tokens, signer, stats, lifetime: lifetime.signal };
  const auth = createAuthHandlers(deps);
  const oauth = createOAuthHandlers(deps);

  function setOptions(patch: RuntimeOptionsPatch): void {
    const parsed = parseRuntimePatch(patch);
    if ("problems" in parsed) throw new BackendOptionsError(parsed.problems);
    options = { ...options, ...parsed.patch };
  }

  function runtimeOptions(): RuntimeOptionsPatch {
    return Object.fromEntries(RUNTIME_OPTION_KEYS.map((key) => [key, options[key]])) as RuntimeOptionsPatch;
  }

  const routes: Record<string, Route> = {
    [BACKEND_PATHS.login]: { POST: auth.login },
    [BACKEND_PATHS.refresh]: { POST: auth.refresh },
    [BACKEND_PATHS.logout]: { POST: auth.logout },
    [BACKEND_PATHS.profile]: { GET: auth.profile },
    [BACKEND_PATHS.token]: { POST: oauth.token },
    [BACKEND_PATHS.revoke]: { POST: oauth.revoke },
    [BACKEND_PATHS.health]: {
      GET: async (_request, response) => sendJson(response, { status: 200, body: { ok: true } }),
    },
    [BACKEND_PATHS.stats]: {
      GET: async (_request, response) => sendJson(response, { status: 200, body: stats.snapshot() }),
    },
    [BACKEND_PATHS.statsReset]: {
      POST: async (_request, response) => {
        stats.reset();
        sendJson(response, { status: 200, body: stats.snapshot() });
      },
    },
    [BACKEND_PATHS.control]: {
      GET: async (_request, response) => sendJson(response, { status: 200, body: runtimeOptions() }),
      // Lets out-of-process tests (Miniflare, load tests) flip failMode and latency on a shared server.
      POST: async (request, response) => {
        const body = await readBody(request);
        const parsed =
          body.kind === "parsed" ? parseRuntimePatch(body.value) : { problems: ["the body must be a JSON object"] };
        if ("problems" in parsed) {
          return sendJson(response, { status: 400, body: { error: "invalid_options", problems: parsed.problems } });
        }
        options = { ...options, ...parsed.patch };
        sendJson(response, { status: 200, body: runtimeOptions() });
      },
    },
  };

  async function dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    tokens.sweepIfDue();
    // The backend's skewed clock shows in its Date header, as a real server's would (RFC 9110 §6.6.1).
    response.setHeader("date", new Date(clock() + options.clockSkewSeconds * 1000).toUTCString());
    // A trailing slash is tolerated so DRF-style paths (`/api/auth/refresh-token/`) work too.
    const pathname = new URL(request.url ?? "/", "http://backend").pathname.replace(/(?<=.)\/+$/, "");
    const route = routes[pathname];
    if (!route) return sendJson(response, { status: 404, body: { error: "not_found", path: pathname } });
    const handler = route[request.method as keyof Route];
    if (request.method === "POST" && (pathname === BACKEND_PATHS.login || pathname === BACKEND_PATHS.token))
      logins.record(pathname, request, clock());
    if (!handler) {
      return sendJson(response, {
        status: 405,
        body: { error: "method_not_allowed" },
        headers: { allow: Object.keys(route).join(", ") },
      });
    }
    await handler(request, response);
  }

  const server = createServer((request, response) => {
    dispatch(request, response).catch((error: unknown) => {
      console.error("[reference-backend] unexpected error:", error);
      sendJson(response, { status: 500, body: { error: "internal_error" } });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    closing ??= new Promise<void>((resolve, reject) => {
      lifetime.abort();
      server.close((error) => (error ? reject(error) : resolve()));
      // Keep-alive sockets and hung refreshes would otherwise hold close() open until the client gives up.
      server.closeAllConnections();
    });
    return closing;
  }

  return {
    url: `http://${host}:${port}`,
    port,
    stats: () => stats.snapshot(),
    resetStats: () => {
      stats.reset();
      logins.reset();
    },
    loginRequests: () => logins.list(),
    setOptions,
    sizes: () => tokens.sizes(),
    issuedTokens: () => issued,
    close,
  };
}
