/**
 * The whole deployment, for black-box tests: a real Redis behind the Upstash-REST bridge, the reference
 * backend, and N real `next start` instances sharing both. Plus the small helpers every test of the
 * contract needs: backend logins, expired sessions, Server-Timing outcomes and session Set-Cookies.
 * Used by integration/*.test.ts and e2e/*.e2e.ts.
 */
import { decode } from "next-auth/jwt";
import { startReferenceBackend, type BackendOptions, type ReferenceBackend } from "../dev/backend/server";
import { startRedisRestBridge, type RedisRestBridge } from "../dev/redis-rest/bridge";
import { startNextInstance, type NextInstance } from "../test-support/next-app";
import { startRedis, type TestRedis } from "../test-support/redis";
import { storeCookies, type CookieJar } from "../test-support/sign-in";
import { mintSessionCookie } from "@/testing/session-cookie";

export const SESSION_COOKIE = "next-auth.session-token";
export const DEMO_EMAIL = "demo@example.com";
export const DEMO_PASSWORD = "demo-password";
const BRIDGE_TOKEN = "integration-bridge-token";

export interface Stack {
  readonly secret: string;
  readonly redis: TestRedis;
  readonly bridge: RedisRestBridge;
  readonly backend: ReferenceBackend;
  readonly instances: readonly NextInstance[];
  /** The settings the instances were started with, to start another one like them. */
  readonly env: Readonly<Record<string, string>>;
  /** Every instance's output, for a failed test's diagnosis. */
  output(): string;
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly instances: number;
  readonly backend?: Partial<BackendOptions>;
  /** Extra settings for every instance (SESSION_REFRESH_SKEW_SECONDS, …). */
  readonly env?: Record<string, string>;
  readonly distDir?: string;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const secret = `integration-secret-${crypto.randomUUID()}`;
  const redis = await startRedis();
  const started: Array<{ close(): Promise<void> }> = [{ close: () => redis.stop() }];
  try {
    const bridge = await startRedisRestBridge({ redisUrl: redis.url, port: 0, token: BRIDGE_TOKEN });
    started.push(bridge);
    const backend = await startReferenceBackend({ port: 0, ...options.backend });
    started.push(backend);
    const env = {
      NEXTAUTH_SECRET: secret,
      BACKEND_URL: backend.url,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: BRIDGE_TOKEN,
      ...options.env,
    };
    const settled = await Promise.allSettled(
      Array.from({ length: options.instances }, () => startNextInstance({ env, distDir: options.distDir })),
    );
    const instances = settled.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
    started.push(...instances.map((instance) => ({ close: () => instance.stop() })));
    const failed = settled.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failed) throw failed.reason;
    // Load the middleware and the route handlers once per instance, so the first test's timing is not a cold start.
    await Promise.all(instances.map((instance) => warmUp(instance.url)));
    backend.resetStats();
    bridge.resetStats();
    return {
      secret,
      redis,
      bridge,
      backend,
      instances,
      env,
      output: () => instances.map((instance, index) => `--- instance ${index} (${instance.url}) ---\n${instance.output()}`).join("\n"),
      stop: () => closeAll(started),
    };
  } catch (error) {
    await closeAll(started);
    throw error;
  }
}

async function closeAll(started: ReadonlyArray<{ close(): Promise<void> }>): Promise<void> {
  // Instances first, Redis last: the reverse of the start order.
  for (const item of [...started].reverse()) await item.close().catch(() => undefined);
}

async function warmUp(url: string): Promise<void> {
  for (const path of ["/api/profile", "/dashboard", "/api/auth/session", "/"]) {
    const response = await fetch(`${url}${path}`, { redirect: "manual" });
    await response.body?.cancel();
  }
}

export interface LoginTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly accessTokenExpires: number;
}

/** Logs in at the backend directly (not through the app): a fresh token family for one test. */
export async function backendLogin(backendUrl: string): Promise<LoginTokens> {
  const response = await fetch(`${backendUrl}/api/auth`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD }),
  });
  if (!response.ok) throw new Error(`backend login failed: ${response.status} ${await response.text()}`);
  const { data } = (await response.json()) as { data: LoginTokens };
  return data;
}

/** Rotates a refresh token at the backend directly, consuming it: the app's later use of it is reuse. */
export async function backendRefresh(backendUrl: string, refreshToken: string): Promise<LoginTokens> {
  const response = await fetch(`${backendUrl}/api/auth/refresh-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ refreshToken }),
  });
  if (!response.ok) throw new Error(`backend refresh failed: ${response.status} ${await response.text()}`);
  const { data } = (await response.json()) as { data: LoginTokens };
  return data;
}

/** A session cookie (our minting helper) for these tokens, with the access token already expired. */
export async function expiredSession(secret: string, tokens: LoginTokens): Promise<{ header: string; tokens: LoginTokens }> {
  const expired = { ...tokens, accessTokenExpires: Date.now() - 60_000 };
  const minted = await mintSessionCookie({
    secret,
    tokens: expired,
    user: { id: "user-1", name: "Demo User", email: DEMO_EMAIL },
  });
  return { header: minted.header, tokens: expired };
}

/** A fresh backend login, minted into an expired session cookie. */
export async function freshExpiredSession(stack: Stack): Promise<{ header: string; tokens: LoginTokens }> {
  return expiredSession(stack.secret, await backendLogin(stack.backend.url));
}

/** The `desc` of `Server-Timing: session;desc="…"`, or null when the middleware did not answer. */
export function sessionOutcome(headers: Headers): string | null {
  return /(?:^|,)\s*session;desc="([a-z]+)"/.exec(headers.get("server-timing") ?? "")?.[1] ?? null;
}

export interface SessionSetCookie {
  /** The joined value; "" when the response expires the session cookie. */
  readonly value: string;
  readonly cleared: boolean;
}

/** The session cookie a response sets (joined across next-auth chunks), or null when it sets none. */
export function sessionSetCookie(response: Response): SessionSetCookie | null {
  const lines = response.headers.getSetCookie().filter((line) => line.startsWith(SESSION_COOKIE));
  if (lines.length === 0) return null;
  const jar: CookieJar = new Map();
  storeCookies(jar, response);
  const names = [...jar.keys()].filter((name) => name === SESSION_COOKIE || name.startsWith(`${SESSION_COOKIE}.`));
  names.sort((a, b) => chunkNumber(a) - chunkNumber(b));
  const value = names.map((name) => jar.get(name) ?? "").join("");
  return { value, cleared: value === "" };
}

function chunkNumber(name: string): number {
  const suffix = name.slice(SESSION_COOKIE.length + 1);
  return suffix === "" ? -1 : Number(suffix);
}

/** next-auth's own decode (not the app's codec): what `getToken` / next-auth routes would read. */
export async function decodeWithNextAuth(secret: string, jwe: string): Promise<Record<string, unknown> | null> {
  return (await decode({ token: jwe, secret })) as Record<string, unknown> | null;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
