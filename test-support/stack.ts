/**
 * The whole deployment, for black-box tests: a real Redis behind the Upstash-REST bridge, the reference
 * backend, and N real `next start` instances sharing both. Plus the small helpers every test of the
 * contract needs: backend logins, expired sessions, Server-Timing outcomes and session Set-Cookies.
 * Used by integration/*.test.ts and e2e/*.e2e.ts (and anything else that needs the whole deployment).
 */
import { decode } from "next-auth/jwt";
import type { BackendOptions, ReferenceBackend } from "../dev/backend/server";
import type { RedisRestBridge } from "../dev/redis-rest/bridge";
import { startNextInstance, type NextInstance } from "./next-app";
import type { TestRedis } from "./redis";
import { backendLogin, DEMO_EMAIL, startServices } from "./services";
import { storeCookies, type CookieJar } from "./sign-in";
import { joinSessionCookie, type BackendTokens } from "edge-session-refresh";
import { mintSessionCookie } from "edge-session-refresh/testing";

export { backendLogin, backendRefresh, DEMO_EMAIL, DEMO_PASSWORD } from "./services";
export const SESSION_COOKIE = "next-auth.session-token";

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
  /** The first line matching `pattern` that any instance prints (see NextInstance.waitForOutput). */
  waitForOutput(pattern: RegExp): Promise<string>;
  /** Tokens the backend issued that appear anywhere in the instances' output (logs must carry none). */
  leakedTokens(): string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly instances: number;
  readonly backend?: Partial<BackendOptions>;
  /** Extra settings for every instance (SESSION_REFRESH_SKEW_SECONDS, …). */
  readonly env?: Record<string, string>;
  /** Settings for one instance on top of `env` (a rolling deploy's old and new secrets, …). */
  readonly instanceEnv?: (index: number) => Record<string, string>;
  readonly distDir?: string;
  /** The project to serve, relative to the repository root (a variant's copy; default this project). */
  readonly projectDir?: string;
  /** The `next` CLI that serves it (a fixture's own Next; default this project's). */
  readonly nextBin?: string;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const secret = `integration-secret-${crypto.randomUUID()}`;
  const services = await startServices({ backend: options.backend, storeToken: "integration-bridge-token" });
  const { redis, bridge, backend } = services;
  const started: Array<{ close(): Promise<void> }> = [services];
  try {
    const env = { NEXTAUTH_SECRET: secret, BACKEND_URL: backend.url, ...services.storeEnv, ...options.env };
    const settled = await Promise.allSettled(
      Array.from({ length: options.instances }, (_, index) =>
        startNextInstance({
          env: { ...env, ...options.instanceEnv?.(index) },
          distDir: options.distDir,
          projectDir: options.projectDir,
          nextBin: options.nextBin,
        }),
      ),
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
      output: () =>
        instances
          .map((instance, index) => `--- instance ${index} (${instance.url}) ---\n${instance.output()}`)
          .join("\n"),
      waitForOutput: (pattern) => Promise.any(instances.map((instance) => instance.waitForOutput(pattern))),
      leakedTokens: () => {
        const logs = instances.map((instance) => instance.output()).join("\n");
        return backend.issuedTokens().filter((token) => logs.includes(token));
      },
      stop: () => closeAll(started),
    };
  } catch (error) {
    await closeAll(started);
    throw error;
  }
}

async function closeAll(started: ReadonlyArray<{ close(): Promise<void> }>): Promise<void> {
  // Instances first, then the services: the reverse of the start order.
  for (const item of [...started].reverse()) await item.close().catch(() => undefined);
}

async function warmUp(url: string): Promise<void> {
  for (const path of ["/api/profile", "/dashboard", "/api/auth/session", "/"]) {
    const response = await fetch(`${url}${path}`, { redirect: "manual" });
    await response.body?.cancel();
  }
}

/** A session cookie (our minting helper) for these tokens, with the access token already expired. */
export async function expiredSession(
  secret: string,
  tokens: BackendTokens,
): Promise<{ header: string; tokens: BackendTokens }> {
  const expired = { ...tokens, accessTokenExpires: Date.now() - 60_000 };
  const minted = await mintSessionCookie({
    secret,
    tokens: expired,
    user: { id: "user-1", name: "Demo User", email: DEMO_EMAIL },
  });
  return { header: minted.header, tokens: expired };
}

/** A fresh backend login, minted into an expired session cookie. */
export async function freshExpiredSession(stack: Stack): Promise<{ header: string; tokens: BackendTokens }> {
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
  // Joined exactly as the app and next-auth read chunks; storeCookies dropped the expired ones.
  const value = joinSessionCookie(jar, SESSION_COOKIE) ?? "";
  return { value, cleared: value === "" };
}

/** next-auth's own decode (not the app's codec): what `getToken` / next-auth routes would read. */
export async function decodeWithNextAuth(secret: string, jwe: string): Promise<Record<string, unknown> | null> {
  return (await decode({ token: jwe, secret })) as Record<string, unknown> | null;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
