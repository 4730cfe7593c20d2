/**
 * What the repository's load test runs against: the services process (Redis, the Upstash-REST bridge, the
 * reference backend), one build of the app, and `next start` instances of it in both modes, the baseline
 * ones with SESSION_UNLOCKED_BASELINE=1. Deployments someone else runs are the engine's CLI's
 * (`npx edge-session-refresh-loadtest`, packages/loadtest).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import {
  ensureAppBuilt,
  ensureVariantBuilt,
  NODE_VARIANT_DIR,
  ROOT,
  startNextInstance,
  withBuildLock,
  type NextInstance,
} from "../../test-support/next-app";
import type { Account } from "edge-session-refresh-loadtest";
import type { LoadTestStore } from "./cli";
import type { ServicesConfig, ServicesReady } from "./services";
import type { BackendCounters, Mode, StatsSnapshot } from "./types";

/** The shared build test-support makes and reuses; we copy it so a rebuild mid-run cannot pull it away. */
const SHARED_DIST_DIR = ".next";
/** Our private copy; .gitignore and tsconfig's exclude already cover `.next-` folders. */
const SNAPSHOT_DIST_DIR = ".next-loadtest";
/** Access tokens outlive the run: expiry is made by minting, so nothing expires on its own mid-wave. */
const ACCESS_TOKEN_TTL_SECONDS = 3_600;
const SERVICES_START_TIMEOUT_MS = 30_000;

export type { Account } from "edge-session-refresh-loadtest";

export interface Stack {
  /** App base URLs per mode; null when that mode is not run (--no-baseline). */
  readonly deployments: Readonly<Record<Mode, readonly string[] | null>>;
  /** NEXTAUTH_SECRET: expired sessions are minted. */
  readonly secret: string;
  /** The account the load test signs user `index` in with. */
  account(index: number): Account;
  readonly refreshLatencyMs: number;
  readStats(): Promise<StatsSnapshot>;
  /** Zeroes the counters where the load test owns them (so gauges like max concurrency start afresh); false when it cannot. */
  resetStats(): Promise<boolean>;
  /** What each local instance printed (warnings such as `[session] store-unreachable` land here). */
  instanceLogs(): ReadonlyArray<{ readonly name: string; readonly output: string }>;
  /** Lines for the report's header. */
  readonly description: readonly string[];
  close(): Promise<void>;
}

export interface LocalStackOptions {
  readonly instances: number;
  readonly users: number;
  readonly refreshLatencyMs: number;
  /** The simulated lock-store round trip the bridge adds (`--store-latency-ms`). */
  readonly storeLatencyMs: number;
  /** The lock store (`--store`); the redis kinds need the Node-proxy variant (node-redis is Node-only). */
  readonly store: LoadTestStore;
  /** Whether to start the baseline instances too. */
  readonly baseline: boolean;
  /** false: use the existing build as it is (`--no-build`). */
  readonly build: boolean;
  readonly log: (line: string) => void;
}

export async function startLocalStack(options: LocalStackOptions): Promise<Stack> {
  const secret = randomBytes(32).toString("base64url");
  const storeToken = randomBytes(16).toString("hex");
  const accounts = Array.from({ length: options.users }, (_, index) => localAccount(index));
  const cleanups: Array<() => Promise<void>> = [];
  const close = async () => {
    await Promise.allSettled(
      cleanups
        .splice(0)
        .reverse()
        .map((cleanup) => cleanup()),
    );
  };

  try {
    options.log("starting Redis, the Upstash-REST bridge and the reference backend");
    const services = await startServices({
      users: accounts.map((account, index) => ({
        email: account.identifier,
        password: account.password,
        name: `Load Test User ${index + 1}`,
      })),
      refreshLatencyMs: options.refreshLatencyMs,
      accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      storeToken,
      storeLatencyMs: options.storeLatencyMs,
      store: options.store,
    });
    cleanups.push(services.stop);

    // The redis kinds: the Node-proxy variant, whose middleware runs on Node and may open a TCP connection.
    const projectDir = options.store === "upstash" ? "." : NODE_VARIANT_DIR;
    if (options.build) {
      options.log(
        `building the app${projectDir === "." ? "" : " (Node-proxy variant)"} (reused when nothing under src/ changed)`,
      );
      if (projectDir === ".") await ensureAppBuilt(SHARED_DIST_DIR);
      else await ensureVariantBuilt("node");
    }
    await snapshotBuild(projectDir);

    const env = {
      NEXTAUTH_SECRET: secret,
      BACKEND_URL: services.ready.backendUrl,
      // Empty counts as unset: only the chosen store is configured (both at once is a configuration error).
      UPSTASH_REDIS_REST_URL: "",
      UPSTASH_REDIS_REST_TOKEN: "",
      ...services.ready.storeEnv,
      SESSION_REFRESH_SKEW_SECONDS: "30",
      SESSION_REFRESH_GRACE_SECONDS: "30",
    };
    const baselineEnv = { ...env, SESSION_UNLOCKED_BASELINE: "1", SESSION_UNLOCKED_BASELINE_I_UNDERSTAND: "1" };
    const baselineCount = options.baseline ? options.instances : 0;
    options.log(`starting ${options.instances} + ${baselineCount} next start instances (locked + baseline)`);
    const started = await Promise.allSettled([
      ...Array.from({ length: options.instances }, () =>
        startNextInstance({ env, projectDir, distDir: SNAPSHOT_DIST_DIR }),
      ),
      ...Array.from({ length: baselineCount }, () =>
        startNextInstance({ env: baselineEnv, projectDir, distDir: SNAPSHOT_DIST_DIR }),
      ),
    ]);
    for (const result of started) if (result.status === "fulfilled") cleanups.push(() => result.value.stop());
    const failure = started.find((result): result is PromiseRejectedResult => result.status === "rejected");
    if (failure) throw failure.reason;
    const instances = started.map((result) => (result as PromiseFulfilledResult<NextInstance>).value);

    return {
      deployments: {
        locked: instances.slice(0, options.instances).map((instance) => instance.url),
        baseline: options.baseline ? instances.slice(options.instances).map((instance) => instance.url) : null,
      },
      secret,
      account: (index) => accounts[index % accounts.length]!,
      refreshLatencyMs: options.refreshLatencyMs,
      readStats: () => readServicesStats(services.ready.statsUrl),
      instanceLogs: () =>
        instances.map((instance, index) => ({
          name: index < options.instances ? `locked-${index + 1}` : `baseline-${index - options.instances + 1}`,
          output: instance.output(),
        })),
      resetStats: async () => {
        await readServicesStats(services.ready.statsUrl, "reset");
        return true;
      },
      description: [
        `local: ${options.instances} locked + ${baselineCount} baseline \`next start\` instances of one build, ` +
          STORE_DESCRIPTIONS[options.store] +
          `, the reference backend with ${options.refreshLatencyMs} ms refresh latency` +
          (options.storeLatencyMs > 0 ? `, ${options.storeLatencyMs} ms simulated lock-store round trip` : ""),
      ],
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function localAccount(index: number): Account {
  const n = String(index + 1).padStart(3, "0");
  return { identifier: `loadtest-${n}@example.test`, password: `loadtest-password-${n}` };
}

async function readServicesStats(statsUrl: string, reset?: "reset"): Promise<StatsSnapshot> {
  const response = await fetch(reset ? `${statsUrl}/reset` : statsUrl, {
    method: reset ? "POST" : "GET",
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await response.json()) as { backend: unknown; store: { commands: number } };
  return { backend: backendCounters(body.backend), storeCommands: body.store.commands };
}

function backendCounters(value: unknown): BackendCounters {
  const stats = value as Partial<Record<keyof BackendCounters, unknown>>;
  const number = (key: keyof BackendCounters) => {
    const count = stats[key];
    if (typeof count !== "number") throw new Error(`backend stats: ${key} is missing (got ${JSON.stringify(value)})`);
    return count;
  };
  return {
    logins: number("logins"),
    refreshes: number("refreshes"),
    refreshAttempts: number("refreshAttempts"),
    reuseDetections: number("reuseDetections"),
    familiesRevoked: number("familiesRevoked"),
    maxConcurrentRefreshes: number("maxConcurrentRefreshes"),
  };
}

interface Services {
  readonly ready: ServicesReady;
  stop(): Promise<void>;
}

async function startServices(config: ServicesConfig): Promise<Services> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", join(ROOT, "bench/loadtest/services.ts"), JSON.stringify(config)],
    {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
    });
  try {
    const ready = await new Promise<ServicesReady>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("the services process did not start within 30 s")),
        SERVICES_START_TIMEOUT_MS,
      );
      child.once("exit", (code) => reject(new Error(`the services process exited ${code} before it was ready`)));
      createInterface({ input: child.stdout! }).once("line", (line) => {
        clearTimeout(timer);
        resolve(JSON.parse(line) as ServicesReady);
      });
    });
    return { ready, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

const STORE_DESCRIPTIONS: Record<LoadTestStore, string> = {
  upstash: "one Redis behind the Upstash-REST bridge",
  redis: "the Node proxy with one redis-server over TCP (REDIS_URL)",
  "redis-cluster": "the Node proxy with a 3-master Redis Cluster over TCP (REDIS_CLUSTER_NODES)",
};

/**
 * Copies the project's shared build (`.` or the Node variant's copy) under its build lock (test-support's
 * protocol), so no rebuild is half-copied.
 */
async function snapshotBuild(projectDir: string): Promise<void> {
  const source = join(ROOT, projectDir, SHARED_DIST_DIR);
  await withBuildLock(projectDir === "." ? SHARED_DIST_DIR : projectDir, async () => {
    if (!existsSync(join(source, "BUILD_ID")))
      throw new Error(`no build in ${join(projectDir, SHARED_DIST_DIR)}/: run without --no-build`);
    const target = join(ROOT, projectDir, SNAPSHOT_DIST_DIR);
    rmSync(target, { recursive: true, force: true });
    cpSync(source, target, { recursive: true, filter: (path) => path !== join(source, "cache") });
  });
}
