/**
 * `npm run dev`: the reference backend and `next dev` together, one Ctrl-C stops both. Without
 * NEXTAUTH_SECRET the app's settings fall back to their fixed development secret (they do so whenever
 * NODE_ENV is not production, and `next dev` sets development; never valid under `next start`), and without
 * Upstash settings the app uses its in-memory lock store (the app says so once). `BACKEND_SHAPE` and
 * `BACKEND_ROTATION` (and every other BACKEND_* setting) reach the backend unchanged; for the oauth shape the
 * app is pointed at the token and revocation endpoints with the demo client, unless set otherwise.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const nextBin = require.resolve("next/dist/bin/next");
const tsxCli = require.resolve("tsx/cli");

const backendPort = process.env.BACKEND_PORT ?? "4000";
const backendShape = process.env.BACKEND_SHAPE?.trim() || "default";
const backendRotation = process.env.BACKEND_ROTATION?.trim() || "rotate";

/** What the app needs to talk to the backend's shape; only defaults, a setting the user gave wins. */
const APP_SETTINGS_FOR_SHAPE: Record<string, Record<string, string>> = {
  oauth: {
    BACKEND_PROTOCOL: "oauth2",
    BACKEND_LOGIN_PATH: "/oauth/token",
    BACKEND_REFRESH_PATH: "/oauth/token",
    BACKEND_CLIENT_ID: "demo-client",
    BACKEND_CLIENT_SECRET: "demo-secret",
    BACKEND_REVOCATION_PATH: "/oauth/revoke",
  },
  default: { BACKEND_LOGOUT_PATH: "/api/auth/logout" },
  drf: { BACKEND_LOGOUT_PATH: "/api/auth/logout" },
};
const appDefaults = Object.fromEntries(
  Object.entries(APP_SETTINGS_FOR_SHAPE[backendShape] ?? {}).filter(([name]) => !process.env[name]?.trim()),
);

const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...appDefaults,
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
  Promise.all(
    children.map(
      (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.on("exit", resolve))),
    ),
  ).then(() => process.exit(code));
}

process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));

if (!process.env.NEXTAUTH_SECRET) console.log("[dev] NEXTAUTH_SECRET not set: using the fixed development secret.");
console.log(
  sharedStore
    ? "[dev] lock store: Upstash REST at " + (process.env.UPSTASH_REDIS_REST_URL ?? process.env.KV_REST_API_URL)
    : "[dev] lock store: in-memory (one instance only; set UPSTASH_REDIS_REST_URL/TOKEN, e.g. from `npm run redis:rest`, to share it)",
);
console.log(
  `[dev] backend: shape ${backendShape}, rotation ${backendRotation}` +
    (Object.keys(appDefaults).length > 0
      ? `; app: ${Object.entries(appDefaults)
          .map(([name, value]) => `${name}=${value}`)
          .join(" ")}`
      : ""),
);
start("backend", [tsxCli, "dev/backend/main.ts"]);
start("next dev", [nextBin, "dev", ...process.argv.slice(2)]);
console.log(`[dev] app: ${env.NEXTAUTH_URL}/login   backend: ${env.BACKEND_URL}   (Ctrl-C stops both)`);
