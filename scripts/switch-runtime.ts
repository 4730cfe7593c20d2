/**
 * `npm run runtime:node` / `npm run runtime:edge`: the one step between the two ways to run the session
 * middleware.
 *
 *   edge (default)  src/middleware.ts, `export const middleware`: Vercel's edge, OpenNext on Cloudflare
 *   node            src/proxy.ts, `export const proxy`: Next 16's Node-only proxy, for self-hosting on Node
 *
 * Next builds whichever of the two files exists (both at once fail the build), and proxy.ts must export
 * `proxy` (or a default). The file's body is otherwise identical: the logic lives in the runtime-neutral
 * core. `tsx scripts/switch-runtime.ts node <project dir>` switches a copy instead of this project.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

export type AppRuntime = "edge" | "node";

const FILES: Record<AppRuntime, { file: string; exportName: string }> = {
  edge: { file: "middleware.ts", exportName: "middleware" },
  node: { file: "proxy.ts", exportName: "proxy" },
};

/** Which runtime `projectDir` is set up for; throws if neither or both files exist. */
export function currentRuntime(projectDir: string): AppRuntime {
  const present = (Object.keys(FILES) as AppRuntime[]).filter((runtime) =>
    existsSync(join(projectDir, "src", FILES[runtime].file)),
  );
  if (present.length !== 1) {
    throw new Error(
      `expected exactly one of src/middleware.ts and src/proxy.ts in ${projectDir}, found ${present.length === 0 ? "neither" : "both"}`,
    );
  }
  return present[0]!;
}

/** Renames the file and its exported function; a no-op when `projectDir` already runs on `target`. */
export function switchRuntime(
  projectDir: string,
  target: AppRuntime,
): { from: AppRuntime; to: AppRuntime; file: string } {
  const from = currentRuntime(projectDir);
  const to = FILES[target];
  const toPath = join(projectDir, "src", to.file);
  if (from === target) return { from, to: target, file: toPath };
  const fromPath = join(projectDir, "src", FILES[from].file);
  const source = readFileSync(fromPath, "utf8");
  const declaration = new RegExp(`\\bexport (const|function|async function) ${FILES[from].exportName}\\b`);
  if (!declaration.test(source))
    throw new Error(`${fromPath} has no \`export const|function ${FILES[from].exportName}\` to rename`);
  writeFileSync(fromPath, source.replace(declaration, `export $1 ${to.exportName}`));
  renameSync(fromPath, toPath);
  return { from, to: target, file: toPath };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const [target, dir] = process.argv.slice(2);
  if (target !== "edge" && target !== "node") {
    console.error("usage: tsx scripts/switch-runtime.ts edge|node [project dir]");
    process.exit(2);
  }
  const projectDir = resolve(dir ?? resolve(import.meta.dirname, ".."));
  const result = switchRuntime(projectDir, target);
  console.log(
    result.from === result.to
      ? `already on the ${target} runtime (${result.file})`
      : `switched the session middleware from ${result.from} to ${result.to}: ${result.file}`,
  );
}
