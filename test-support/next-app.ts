/**
 * Real `next build` / `next start` processes for integration tests, the load test and browser tests.
 * The build is shared: made once per source change (a directory lock keeps parallel test files from
 * building at the same time) and reused while nothing under src/ changed.
 *
 * Two variants of the app: "edge" is this project as it is (src/middleware.ts on the edge runtime); "node"
 * is a copy in NODE_VARIANT_DIR switched to Next 16's Node proxy (src/proxy.ts) by scripts/switch-runtime.ts,
 * so the working tree is never renamed under a running test. The copy has no node_modules or lockfile of
 * its own: modules resolve from this project's node_modules one level up, which Turbopack accepts because
 * the lockfile up there makes this project the workspace root.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { middlewareRuntime } from "./middleware-bundle";
import { switchRuntime, type AppRuntime } from "../scripts/switch-runtime";
import { freePort } from "./ports";

const require = createRequire(import.meta.url);
export const ROOT = resolve(import.meta.dirname, "..");
export const NEXT_BIN = require.resolve("next/dist/bin/next");
const BUILD_INPUTS = ["src", "next.config.mjs", "package.json", "tsconfig.json"];
/** The library as the app imports it: the built package (scripts/build-lib.mjs). A newer build means a new app build. */
export const LIBRARY_BUILD = "packages/edge-session-refresh/dist";
/** The node variant's project copy; a `.next-*` name, so git, tsc and ESLint already ignore it. */
export const NODE_VARIANT_DIR = ".next-node-proxy";
const BUILD_LOCK_STALE_MS = 10 * 60_000;

export interface NextInstance {
  readonly url: string;
  readonly port: number;
  /** Everything the process printed, for diagnosing a failed test. */
  output(): string;
  /**
   * Resolves with the first printed line matching `pattern` once the process has printed it (at once if it
   * already has); rejects if the process exits first. A log line is written after the response it belongs
   * to may have been sent, so a test that asserts on one waits for it instead of sleeping.
   */
  waitForOutput(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

/** Builds the app into `distDir` (relative to the project root) unless a build newer than the sources exists. */
export async function ensureAppBuilt(distDir = ".next"): Promise<void> {
  if (isBuildFresh(distDir)) return;
  await withBuildLock(distDir, async () => {
    if (isBuildFresh(distDir)) return;
    const output = await run(process.execPath, [NEXT_BIN, "build"], {
      ...process.env,
      NEXT_DIST_DIR: distDir,
      NEXT_TELEMETRY_DISABLED: "1",
    });
    if (!isBuildFresh(distDir)) throw new Error(`next build did not produce ${distDir}/BUILD_ID:\n${output}`);
  });
}

/** Where a variant's `next start` runs: its project directory and build output, both relative to ROOT. */
export interface AppBuild {
  readonly projectDir: string;
  readonly distDir: string;
  /** The `next` CLI that serves it when not this project's (a fixture's own Next version). */
  readonly nextBin?: string;
}

/** The variant `APP_RUNTIME_VARIANT` asks for (`edge` when unset). */
export function appVariantFromEnv(env: NodeJS.ProcessEnv = process.env): AppRuntime {
  const value = env.APP_RUNTIME_VARIANT?.trim() || "edge";
  if (value !== "edge" && value !== "node")
    throw new Error(`APP_RUNTIME_VARIANT must be edge or node, not ${JSON.stringify(value)}`);
  return value;
}

/**
 * Builds one variant unless its build is newer than this project's sources. The node variant is a fresh
 * copy of the build inputs (without tests) with the middleware switched to src/proxy.ts, built in place.
 */
export async function ensureVariantBuilt(variant: AppRuntime): Promise<AppBuild> {
  if (variant === "edge") {
    await ensureAppBuilt();
    return { projectDir: ".", distDir: ".next" };
  }
  const build: AppBuild = { projectDir: NODE_VARIANT_DIR, distDir: ".next" };
  const rootRelativeDist = join(NODE_VARIANT_DIR, build.distDir);
  if (isBuildFresh(rootRelativeDist)) return build;
  await withBuildLock(NODE_VARIANT_DIR, async () => {
    if (isBuildFresh(rootRelativeDist)) return;
    const projectDir = join(ROOT, NODE_VARIANT_DIR);
    rmSync(projectDir, { recursive: true, force: true });
    for (const input of BUILD_INPUTS) {
      cpSync(join(ROOT, input), join(projectDir, input), {
        recursive: true,
        filter: (source) => !/\.test\.tsx?$/.test(source),
      });
    }
    switchRuntime(projectDir, "node");
    const env = { ...process.env, NEXT_DIST_DIR: build.distDir, NEXT_TELEMETRY_DISABLED: "1" };
    const output = await run(process.execPath, [NEXT_BIN, "build"], env, projectDir);
    if (!isBuildFresh(rootRelativeDist))
      throw new Error(`next build did not produce ${rootRelativeDist}/BUILD_ID:\n${output}`);
  });
  return build;
}

/** The runtime a build's session middleware runs on, from Next's own manifests (see ./middleware-bundle.ts). */
export function builtMiddlewareRuntime(build: AppBuild): "edge" | "nodejs" | "none" {
  return middlewareRuntime(resolve(ROOT, build.projectDir, build.distDir));
}

/**
 * Runs `task` holding the build lock of `distDir` (a directory made atomically with mkdir), so nobody
 * builds into or copies out of a half-written build. A lock older than BUILD_LOCK_STALE_MS is a crashed
 * holder's and is broken.
 */
export async function withBuildLock<T>(distDir: string, task: () => Promise<T>): Promise<T> {
  const lock = resolve(ROOT, `${distDir}.build-lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > BUILD_LOCK_STALE_MS)
        rmSync(lock, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    return await task();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function isBuildFresh(distDir: string): boolean {
  const buildId = join(ROOT, distDir, "BUILD_ID");
  if (!existsSync(buildId)) return false;
  const built = statSync(buildId).mtimeMs;
  return [...BUILD_INPUTS, LIBRARY_BUILD].every((input) => newestMtime(join(ROOT, input)) < built);
}

export function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolvePromise(output) : reject(new Error(`${args.join(" ")} exited ${code}:\n${output}`)),
    );
  });
}

export interface StartOptions {
  /** Settings for the instance (NEXTAUTH_SECRET, BACKEND_URL, UPSTASH_…); merged over a clean base. */
  readonly env: Record<string, string>;
  /** Settings left out of the instance's environment altogether (NEXTAUTH_URL, which next-auth cannot take empty). */
  readonly unset?: readonly string[];
  readonly distDir?: string;
  /** The project `next start` serves (relative to ROOT): "." or a variant's copy, see ensureVariantBuilt. */
  readonly projectDir?: string;
  /** The `next` CLI to run (default this project's; a fixture brings its own Next version). */
  readonly nextBin?: string;
  readonly port?: number;
  /** When the instance counts as up, from its answer to GET /login (default: a 2xx; a misconfigured instance answers 500). */
  readonly ready?: (response: Response) => boolean;
}

/** `next start` on a free port; resolves once the app answers. */
export async function startNextInstance(options: StartOptions): Promise<NextInstance> {
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: options.distDir ?? ".next",
    NEXTAUTH_URL: `http://localhost:${port}`,
    ...options.env,
  };
  for (const name of options.unset ?? []) delete env[name];
  const child: ChildProcess = spawn(
    process.execPath,
    [options.nextBin ?? NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"],
    {
      cwd: resolve(ROOT, options.projectDir ?? "."),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const outputWaiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of outputWaiters) check();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const matchingLine = (pattern: RegExp) => output.split("\n").find((line) => pattern.test(line));
  const url = `http://127.0.0.1:${port}`;
  const instance: NextInstance = {
    url,
    port,
    output: () => output,
    waitForOutput: (pattern) =>
      new Promise<string>((resolvePromise, reject) => {
        const onExit = () => {
          outputWaiters.delete(check);
          reject(new Error(`next start exited before printing ${pattern}:\n${output}`));
        };
        const check = () => {
          const line = matchingLine(pattern);
          if (line === undefined) return;
          outputWaiters.delete(check);
          child.off("exit", onExit);
          resolvePromise(line);
        };
        if (child.exitCode !== null || child.signalCode !== null) return onExit();
        outputWaiters.add(check);
        child.once("exit", onExit);
        check();
      }),
    stop: () =>
      new Promise<void>((resolvePromise) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolvePromise();
        child.once("exit", () => resolvePromise());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 3000).unref();
      }),
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`next start exited ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/login`, { signal: AbortSignal.timeout(2000) });
      await response.body?.cancel();
      if ((options.ready ?? ((answer: Response) => answer.ok))(response)) return instance;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await instance.stop();
      throw new Error(`next start did not answer within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
