/**
 * Fixture apps (fixtures/<name>/): existing apps that use this project through its public entry point. Each is
 * built as a copy in `.next-fixture-<name>/` (git, tsc and ESLint ignore `.next-*`): this project's
 * package.json, next.config.mjs and tsconfig.json, the library folders an app copies (src/core, src/next,
 * src/testing, without tests), and the fixture's own src/ over them: what an app that followed MIGRATING.md
 * has. Like the node variant (next-app.ts), the copy has no node_modules: modules resolve from this project's.
 * One build per change of the library or the fixture, shared across test files under the build lock.
 */
import { cpSync, existsSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { LIBRARY_BUILD, NEXT_BIN, ROOT, newestMtime, run, withBuildLock, type AppBuild } from "./next-app";

const PROJECT_FILES = ["package.json", "next.config.mjs", "tsconfig.json"];

export function fixtureDir(name: string): string {
  return join("fixtures", name);
}

export async function ensureFixtureBuilt(name: string): Promise<AppBuild> {
  const projectDir = `.next-fixture-${name}`;
  const build: AppBuild = { projectDir, distDir: ".next" };
  const inputs = [...PROJECT_FILES, LIBRARY_BUILD, fixtureDir(name)].map((input) => join(ROOT, input));
  const buildId = join(ROOT, projectDir, build.distDir, "BUILD_ID");
  const fresh = () => existsSync(buildId) && inputs.every((input) => newestMtime(input) < statSync(buildId).mtimeMs);
  if (fresh()) return build;
  await withBuildLock(projectDir, async () => {
    if (fresh()) return;
    const target = join(ROOT, projectDir);
    rmSync(target, { recursive: true, force: true });
    const notTests = (source: string) => !/\.test\.tsx?$/.test(source);
    for (const file of PROJECT_FILES) cpSync(join(ROOT, file), join(target, file));
    cpSync(join(ROOT, fixtureDir(name), "src"), join(target, "src"), { recursive: true, filter: notTests });
    const output = await run(process.execPath, [NEXT_BIN, "build"], { ...process.env, NEXT_DIST_DIR: build.distDir, NEXT_TELEMETRY_DISABLED: "1" }, target);
    if (!fresh()) throw new Error(`next build of fixture ${name} did not produce ${projectDir}/${build.distDir}/BUILD_ID:\n${output}`);
  });
  return build;
}
