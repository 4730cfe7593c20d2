// Builds the workspace packages (edge-session-refresh, then edge-session-refresh-loadtest) unless a
// package's dist/ is newer than everything it is built from. The demo app, the edge-tests, the integration
// builds and the repository's own tests, benchmarks and load test all use the built packages, as an app or
// a tool would (docs/TESTING.md, "The test boundary"); skipping an unchanged build keeps `npm test` from
// rebuilding Next apps whose input did not change.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const PACKAGES = [
  {
    name: "edge-session-refresh",
    dir: "edge-session-refresh",
    built: join("dist", "next", "index.js"),
    // The reference docs its build copies into the package (its scripts/ship-docs.mjs).
    shipped: ["docs", "MIGRATING.md", "SECURITY.md"].map((input) => join(ROOT, input)),
  },
  { name: "edge-session-refresh-loadtest", dir: "loadtest", built: join("dist", "index.js"), shipped: [] },
];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name))), stat.mtimeMs);
}

for (const { name, dir, built, shipped } of PACKAGES) {
  const pkg = join(ROOT, "packages", dir);
  // Outside dist/ (which npm pack ships) and ignored by git.
  const stamp = join(pkg, ".dist-built");
  const inputs = ["src", "scripts", "package.json", "tsup.config.ts", "tsconfig.json"]
    .map((input) => join(pkg, input))
    .concat(shipped);
  if (
    process.argv.includes("--force") ||
    !existsSync(stamp) ||
    !existsSync(join(pkg, built)) ||
    inputs.some((input) => newest(input) >= statSync(stamp).mtimeMs)
  ) {
    execFileSync("npm", ["run", "build", "-w", name], { stdio: "inherit" });
    writeFileSync(stamp, new Date().toISOString() + "\n");
  } else {
    console.log(`${name}: dist/ is up to date`);
  }
}
