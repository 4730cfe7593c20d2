/**
 * `npm run dev`: the reference backend and `next dev` together, one Ctrl-C stops both. Without
 * NEXTAUTH_SECRET it uses the fixed development secret (never valid under `next start`), and without
 * Upstash settings the app uses its in-memory lock store (the app says so once).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { DEV_SECRET } from "../src/core/settings";

const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");
const tsxCli = require.resolve("tsx/cli");

const backendPort = process.env.BACKEND_PORT ?? "4000";
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET ?? DEV_SECRET,
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? "http://localhost:3000",
  BACKEND_URL: process.env.BACKEND_URL ?? `http://127.0.0.1:${backendPort}`,
  BACKEND_PORT: backendPort,
  SESSION_STORE_ANNOUNCED: "1",
};
const sharedStore = Boolean((process.env.UPSTASH_REDIS_REST_URL ?? process.env.KV_REST_API_URL)?.trim());

const children: ChildProcess[] = [];
let stopping = false;

function start(name: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, { env, stdio: "inherit" });
  child.on("exit", (code, signal) => {
    if (stopping) return;
    console.error(`\n[dev] ${name} exited (${signal ?? code}); stopping the rest.`);
    stop(code ?? 1);
  });
  children.push(child);
  return child;
}

function stop(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  // Give both a moment to close their ports, then leave whatever happens.
  setTimeout(() => process.exit(code), 1500).unref();
  Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on("exit", resolve))))).then(() =>
    process.exit(code),
  );
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

if (!process.env.NEXTAUTH_SECRET) console.log("[dev] NEXTAUTH_SECRET not set: using the fixed development secret.");
console.log(
  sharedStore
    ? "[dev] lock store: Upstash REST at " + (process.env.UPSTASH_REDIS_REST_URL ?? process.env.KV_REST_API_URL)
    : "[dev] lock store: in-memory (one instance only; set UPSTASH_REDIS_REST_URL/TOKEN, e.g. from `npm run redis:rest`, to share it)",
);
start("backend", [tsxCli, "dev/backend/main.ts"]);
start("next dev", [nextBin, "dev", ...process.argv.slice(2)]);
console.log(`[dev] app: ${env.NEXTAUTH_URL}/login   backend: ${env.BACKEND_URL}   (Ctrl-C stops both)`);
