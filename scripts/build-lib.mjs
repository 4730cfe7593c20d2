// Builds the library (packages/edge-session-refresh) unless its dist/ is newer than everything it is built
// from. The demo app, the edge-tests and the integration builds all use the built package, as an app
// would; skipping an unchanged build keeps `npm test` from rebuilding Next apps whose input did not change.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const pkg = join(import.meta.dirname, "..", "packages", "edge-session-refresh");
// Outside dist/ (which npm pack ships) and ignored by git.
const stamp = join(pkg, ".dist-built");
const inputs = ["src", "scripts", "package.json", "tsup.config.ts", "tsconfig.json"]
  .map((input) => join(pkg, input))
  // The reference docs the build copies into the package (scripts/ship-docs.mjs).
  .concat(["docs", "MIGRATING.md", "SECURITY.md"].map((input) => join(pkg, "..", "..", input)));

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

if (
  process.argv.includes("--force") ||
  !existsSync(stamp) ||
  !existsSync(join(pkg, "dist", "next", "index.js")) ||
  inputs.some((input) => newest(input) >= statSync(stamp).mtimeMs)
) {
  execFileSync("npm", ["run", "build", "-w", "edge-session-refresh"], { stdio: "inherit" });
  writeFileSync(stamp, new Date().toISOString() + "\n");
} else {
  console.log("edge-session-refresh: dist/ is up to date");
}
