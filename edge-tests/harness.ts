/**
 * The Node side of edge-tests: a real Redis behind the Upstash-REST bridge, the reference backend, and
 * workerd isolates (Miniflare) running edge-tests/worker.ts. Each Miniflare is one workerd process; each
 * named worker in it is its own isolate, so `startIsolates({ processes: 2, workersPerProcess: 2 })` gives
 * four isolates that share nothing but the network.
 */
import { Miniflare } from "miniflare";
import { decode as nextAuthDecode, type JWT } from "next-auth/jwt";
import { joinSessionCookie, sessionCookieName, type BackendTokens } from "edge-session-refresh";
import type { BackendOptions, ReferenceBackend } from "../dev/backend/server";
import type { RedisRestBridge } from "../dev/redis-rest/bridge";
import { mintSessionCookie } from "edge-session-refresh/testing";
import type { TestRedis } from "../test-support/redis";
import { backendLogin, DEMO_EMAIL, DEMO_PASSWORD, startServices } from "../test-support/services";
import { parseSetCookie as parseSetCookieLine } from "../test-support/sign-in";
import { bundleWorker, COMPATIBILITY_DATE } from "./bundle";
import type { ErrorAnswer, GateAnswer } from "./worker";

export const DEMO_LOGIN = { email: DEMO_EMAIL, password: DEMO_PASSWORD } as const;
/** Miniflare answers on this made-up host; each worker's route is `<name>.<host>/*`. */
const ROUTE_HOST = "edge.test";

export interface Stack {
  readonly redis: TestRedis;
  readonly bridge: RedisRestBridge;
  readonly backend: ReferenceBackend;
  /** The lock-store bindings for a worker: the bridge's URL and token. */
  readonly storeBindings: Record<string, string>;
  close(): Promise<void>;
}

/** Redis, the bridge in front of it and the reference backend; close() stops what was started, in reverse. */
export async function startStack(backendOptions: Partial<BackendOptions> = {}): Promise<Stack> {
  const services = await startServices({ backend: backendOptions, storeToken: "edge-tests-bridge-token" });
  const { redis, bridge, backend } = services;
  return { redis, bridge, backend, storeBindings: { ...services.storeEnv }, close: () => services.close() };
}

/** Signs in at the backend directly: real tokens, a fresh family. */
export function login(backend: ReferenceBackend): Promise<BackendTokens> {
  return backendLogin(backend.url);
}

export interface TestSession {
  /** The `Cookie` request header. */
  readonly cookie: string;
  readonly tokens: BackendTokens;
}

/** A signed-in session whose access token ran out a second ago: its next request must refresh. */
export async function expiredSession(backend: ReferenceBackend, secret: string): Promise<TestSession> {
  const tokens = { ...(await login(backend)), accessTokenExpires: Date.now() - 1000 };
  const minted = await mintSessionCookie({
    secret,
    tokens,
    user: { id: "user-1", name: "Demo User", email: DEMO_LOGIN.email },
  });
  return { cookie: minted.header, tokens };
}

export interface EdgeIsolate {
  /** The worker's name, unique across the deployment. */
  readonly name: string;
  /** A request to this worker (and so to this isolate). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

export interface Deployment {
  readonly isolates: readonly EdgeIsolate[];
  /** Console lines the workers logged (structured workerd logs), oldest first. */
  readonly logs: ReadonlyArray<{ readonly level: string; readonly message: string }>;
  dispose(): Promise<void>;
}

export interface DeploymentOptions {
  /** Separate Miniflare instances: separate workerd processes. */
  readonly processes: number;
  /** Named workers per instance: separate isolates in one process. */
  readonly workersPerProcess: number;
  /** Text bindings, the same names as the app's environment. */
  readonly bindings: Record<string, string>;
  /** Per-worker extra bindings, by worker index across the deployment. */
  readonly bindingsFor?: (index: number) => Record<string, string>;
  readonly namePrefix?: string;
}

/** Starts `processes × workersPerProcess` isolates running the bundled worker, without nodejs_compat. */
export async function startIsolates(options: DeploymentOptions): Promise<Deployment> {
  const { code } = await bundleWorker();
  const logs: Array<{ level: string; message: string }> = [];
  const instances: Miniflare[] = [];
  const isolates: EdgeIsolate[] = [];
  const prefix = options.namePrefix ?? "edge";
  try {
    for (let p = 0; p < options.processes; p++) {
      const names = Array.from({ length: options.workersPerProcess }, (_, w) => `${prefix}-p${p}-w${w}`);
      const miniflare = new Miniflare({
        cf: false,
        handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
          logs.push({ level, message });
        },
        workers: names.map((name, w) => ({
          name,
          modules: true,
          script: code,
          compatibilityDate: COMPATIBILITY_DATE,
          compatibilityFlags: [],
          routes: [`${name}.${ROUTE_HOST}/*`],
          bindings: { ...options.bindings, ...options.bindingsFor?.(p * options.workersPerProcess + w) },
        })),
      });
      instances.push(miniflare);
      await miniflare.ready;
      for (const name of names) {
        isolates.push({
          name,
          fetch: async (path, init) =>
            (await miniflare.dispatchFetch(
              `http://${name}.${ROUTE_HOST}${path}`,
              init as never,
            )) as unknown as Response,
        });
      }
    }
  } catch (error) {
    await Promise.allSettled(instances.map((instance) => instance.dispose()));
    throw error;
  }
  return {
    isolates,
    logs,
    dispose: async () => {
      await Promise.allSettled(instances.map((instance) => instance.dispose()));
    },
  };
}

/** One gate answer as a test sees it: status, body, the cookies written and the Server-Timing outcome. */
export interface GateReply {
  readonly status: number;
  readonly body: GateAnswer & Partial<ErrorAnswer>;
  readonly setCookies: readonly SetCookie[];
  readonly serverTiming: string | null;
  readonly isolateName: string;
}

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Expires in the past: the browser deletes the cookie. */
  readonly expired: boolean;
  readonly raw: string;
}

/** Asks the worker's gate with this `Cookie` header (none when null). */
export async function askGate(isolate: EdgeIsolate, cookie: string | null, path = "/dashboard"): Promise<GateReply> {
  const response = await isolate.fetch(path, { headers: cookie === null ? {} : { cookie } });
  const text = await response.text();
  let body: GateReply["body"];
  try {
    body = JSON.parse(text) as GateReply["body"];
  } catch {
    throw new Error(`${isolate.name} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return {
    status: response.status,
    body,
    setCookies: response.headers.getSetCookie().map(parseSetCookie),
    serverTiming: response.headers.get("server-timing"),
    isolateName: isolate.name,
  };
}

export function parseSetCookie(raw: string): SetCookie {
  const cookie = parseSetCookieLine(raw) ?? { name: "", value: "", expired: false };
  return { ...cookie, raw };
}

/**
 * The session a browser holds after these Set-Cookie headers, decoded by next-auth's own `decode`
 * (null when the writes leave no session cookie). `secure` picks the `__Secure-` name.
 */
export async function sessionAfter(
  setCookies: readonly SetCookie[],
  secret: string,
  secure = false,
): Promise<JWT | null> {
  const jar = new Map(setCookies.filter((c) => !c.expired).map((c) => [c.name, c.value] as const));
  const jwe = joinSessionCookie(jar, sessionCookieName(secure));
  if (jwe === null) return null;
  return nextAuthDecode({ token: jwe, secret });
}

/** Counts of each value, for messages that show the whole distribution when an assertion fails. */
export function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
