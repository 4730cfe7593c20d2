/**
 * `npm run vercel:build`: Vercel's own build, locally and offline, into .vercel/output (the Build Output API
 * tree Vercel deploys). The CLI is pinned and run through npx so `npm install` stays lean; npx needs only the
 * npm registry. `vercel build` reads the project from .vercel/project.json, which `vercel link` would
 * normally write; this writes a local one (no account, no API calls) with the Next.js preset.
 *
 * The Next build goes to .next-vercel, not .next, so it never replaces the plain `next build` the tests and
 * `npm start` use (Vercel's builder builds Next in its own mode). Dependencies are already installed (CI ran
 * `npm ci` just before), so the build reads .vercel/vercel.json: vercel.json with an empty install command,
 * instead of wiping and reinstalling node_modules a second time. Everything else — vercel.json's build
 * command (`next build` and the bundle budget), the Next builder, the output — is what Vercel runs.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const VERCEL_CLI = "vercel@58.10.0";
export const VERCEL_DIST_DIR = ".next-vercel";
const ROOT = resolve(import.meta.dirname, "..");

const project = {
  projectId: "local",
  orgId: "local",
  settings: { framework: "nextjs", outputDirectory: VERCEL_DIST_DIR },
};
mkdirSync(join(ROOT, ".vercel"), { recursive: true });
writeFileSync(join(ROOT, ".vercel", "project.json"), `${JSON.stringify(project, null, 2)}\n`);
const vercelJson = JSON.parse(readFileSync(join(ROOT, "vercel.json"), "utf8")) as Record<string, unknown>;
writeFileSync(
  join(ROOT, ".vercel", "vercel.json"),
  `${JSON.stringify({ ...vercelJson, installCommand: "" }, null, 2)}\n`,
);
rmSync(join(ROOT, ".vercel", "output"), { recursive: true, force: true });

const env: NodeJS.ProcessEnv = {
  ...process.env,
  // No NEXTAUTH_SECRET or Upstash settings: `next build` reads no session settings (they are read at the
  // first request), so the build needs none, like the plain `npm run build` in CI.
  NEXT_DIST_DIR: VERCEL_DIST_DIR,
  NEXT_TELEMETRY_DISABLED: "1",
  VERCEL_TELEMETRY_DISABLED: "1",
  // npx: no prompt to install, no update/funding/audit calls (only the registry is reachable in CI).
  npm_config_yes: "true",
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
  NO_UPDATE_NOTIFIER: "1",
};

const result = spawnSync(
  "npx",
  ["--yes", VERCEL_CLI, "build", "--yes", "--local-config", join(".vercel", "vercel.json")],
  {
    cwd: ROOT,
    env,
    stdio: "inherit",
  },
);
if (result.error) throw result.error;
process.exit(result.status ?? 1);
