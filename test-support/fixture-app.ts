/**
 * Fixture apps (fixtures/<name>/): standalone adopter apps that install the library the way users do, from
 * the packed tarball, never through the workspace link.
 *
 * Each is built in a temporary directory outside this repository (os.tmpdir()/esr-fixtures/<name>-<hash>),
 * so neither Turbopack nor webpack can pick up this repository's node_modules or lockfile: the fixture's
 * files are copied there, its pinned dependencies installed from its own lockfile (`npm ci`), the tarball
 * installed over them (`npm install <tarball>`), then type-checked (`tsc --noEmit`) and built by its own
 * `next build`. The directory's name is the hash of the tarball's content and the fixture's files, so a
 * repeated test run reuses the build, and a change of either makes a new one; builds of other hashes of the
 * same fixture are removed then.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { ROOT, run, withBuildLock, type AppBuild } from "./next-app";

export const FIXTURES = ["app-router", "pages-router", "adopter"] as const;
export type FixtureName = (typeof FIXTURES)[number];
/** Apps without the library (next-auth's own recipe, for the load test to measure): built the same way, no tarball. */
export const PLAIN_FIXTURES = ["recipe-2021"] as const;
export type PlainFixtureName = (typeof PLAIN_FIXTURES)[number];
type AnyFixture = FixtureName | PlainFixtureName;
/** Stands in for the tarball in a plain fixture's build identity. */
const NO_LIBRARY: PackedLibrary = { path: "", sha256: "none", bytes: 0, files: [] };

/** Where fixture builds and packed tarballs live: outside the repository, so no tool finds its lockfile. */
export const FIXTURES_WORK_DIR = process.env.ESR_FIXTURES_DIR ?? join(tmpdir(), "esr-fixtures");
const PACKAGE_WORKSPACE = "edge-session-refresh";
const LIBRARY_DIST = join(ROOT, "packages", "edge-session-refresh", "dist");
/** Never part of a fixture's inputs: what an install or a build writes into a fixture directory. */
const GENERATED = new Set(["node_modules", ".next", "next-env.d.ts", "tsconfig.tsbuildinfo"]);
const READY_MARKER = ".fixture-ready.json";
const LOCK_HEARTBEAT_MS = 30_000;
/** A cold fixture build (npm ci, npm install, next build, tsc) on a busy 2-core machine: minutes, not seconds. */
export const FIXTURE_BUILD_TIMEOUT_MS = 20 * 60_000;

export interface PackedLibrary {
  /** The tarball, named by its content hash. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly files: readonly string[];
}

export interface FixtureBuild extends AppBuild {
  /** The fixture's own Next (its version, not this repository's), which `next start` must run. */
  readonly nextBin: string;
  readonly nextVersion: string;
  /** How long each step took when this build was made (ms); a reused build reports its original timings. */
  readonly timings: Readonly<Record<string, number>>;
  readonly reused: boolean;
}

export function fixtureDir(name: AnyFixture): string {
  return join(ROOT, "fixtures", name);
}

let packed: Promise<PackedLibrary> | undefined;

/**
 * The library as users install it: `npm pack` of the workspace from its built dist/ (scripts/build-lib.mjs,
 * which `npm test` and `npm run test:fixtures` run first). Scripts are skipped here because prepack would
 * empty dist/ under the other test files that import it; it runs the same build. Once per process.
 */
export function packedLibrary(): Promise<PackedLibrary> {
  packed ??= pack();
  return packed;
}

async function pack(): Promise<PackedLibrary> {
  if (!existsSync(join(LIBRARY_DIST, "next", "index.js")))
    throw new Error(`${relative(ROOT, LIBRARY_DIST)} is not built: run \`npm run build:lib\` first`);
  const tarballs = join(FIXTURES_WORK_DIR, "tarballs");
  mkdirSync(tarballs, { recursive: true });
  const scratch = mkdtempSync(join(tarballs, "pack-"));
  try {
    const { stdout } = await promisify(execFile)(
      "npm",
      ["pack", "-w", PACKAGE_WORKSPACE, "--ignore-scripts", "--json", "--pack-destination", scratch],
      {
        cwd: ROOT,
        env: npmEnv(),
      },
    );
    const [report] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const content = readFileSync(join(scratch, report!.filename));
    const sha256 = createHash("sha256").update(content).digest("hex");
    // Content-addressed and renamed into place: parallel test processes packing the same library agree.
    const path = join(tarballs, `edge-session-refresh-${sha256.slice(0, 16)}.tgz`);
    renameSync(join(scratch, report!.filename), path);
    return { path, sha256, bytes: content.length, files: report!.files.map((file) => file.path) };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The fixture's files (relative paths), without what installs and builds generate. */
export function fixtureFiles(name: AnyFixture): string[] {
  const root = fixtureDir(name);
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .filter((entry) => !GENERATED.has(entry))
      .flatMap((entry) => {
        const path = join(dir, entry);
        return statSync(path).isDirectory() ? walk(path) : [relative(root, path)];
      });
  return walk(root).sort();
}

/** The build's identity: the tarball's content and every fixture file's path and content. */
export function fixtureInputHash(name: AnyFixture, library: PackedLibrary): string {
  const hash = createHash("sha256").update(`library ${library.sha256}\n`);
  for (const file of fixtureFiles(name))
    hash
      .update(`${file}\n`)
      .update(readFileSync(join(fixtureDir(name), file)))
      .update("\n");
  return hash.digest("hex").slice(0, 16);
}

/** Installs the packed library into a copy of the fixture and builds it, unless a build of the same inputs exists. */
export async function ensureFixtureBuilt(name: AnyFixture): Promise<FixtureBuild> {
  const library = (PLAIN_FIXTURES as readonly string[]).includes(name) ? NO_LIBRARY : await packedLibrary();
  const projectDir = join(FIXTURES_WORK_DIR, `${name}-${fixtureInputHash(name, library)}`);
  const built = readyBuild(projectDir, true);
  if (built) return built;
  return withBuildLock(projectDir, async () => {
    const raced = readyBuild(projectDir, true);
    if (raced) return raced;
    // A cold build on a busy machine can outlast the lock's staleness limit: keep the lock fresh meanwhile.
    const heartbeat = setInterval(
      () => utimesSync(`${projectDir}.build-lock`, new Date(), new Date()),
      LOCK_HEARTBEAT_MS,
    );
    try {
      return await buildFixture(name, library, projectDir);
    } finally {
      clearInterval(heartbeat);
    }
  });
}

async function buildFixture(name: AnyFixture, library: PackedLibrary, projectDir: string): Promise<FixtureBuild> {
  removeOtherBuilds(name, projectDir);
  rmSync(projectDir, { recursive: true, force: true });
  const timings: Record<string, number> = {};
  const step = async (label: string, command: string, args: string[], env: NodeJS.ProcessEnv = npmEnv()) => {
    const started = performance.now();
    await run(command, args, env, projectDir).catch((error: unknown) => {
      throw new Error(`fixture ${name}: ${label} failed in ${projectDir}`, { cause: error });
    });
    timings[label] = Math.round(performance.now() - started);
  };
  cpSync(fixtureDir(name), projectDir, {
    recursive: true,
    filter: (source) => !GENERATED.has(source.split(/[\\/]/).pop()!),
  });
  await step("npm ci", "npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"]);
  if (library !== NO_LIBRARY)
    await step("npm install tarball", "npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", library.path]);
  const env = { ...npmEnv(), NEXT_TELEMETRY_DISABLED: "1" };
  await step(
    "next build",
    process.execPath,
    [join(projectDir, "node_modules", "next", "dist", "bin", "next"), "build"],
    env,
  );
  // After the build: next-env.d.ts (Next's own types) is written by it.
  await step(
    "tsc --noEmit",
    process.execPath,
    [join(projectDir, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", "tsconfig.json"],
    env,
  );
  writeFileSync(join(projectDir, READY_MARKER), JSON.stringify({ library: library.sha256, timings }, null, 2));
  return readyBuild(projectDir, false)!;
}

function readyBuild(projectDir: string, reused: boolean): FixtureBuild | null {
  const marker = join(projectDir, READY_MARKER);
  if (!existsSync(marker) || !existsSync(join(projectDir, ".next", "BUILD_ID"))) return null;
  const { timings } = JSON.parse(readFileSync(marker, "utf8")) as { timings: Record<string, number> };
  const nextPackage = JSON.parse(readFileSync(join(projectDir, "node_modules", "next", "package.json"), "utf8")) as {
    version: string;
  };
  return {
    projectDir,
    distDir: ".next",
    nextBin: join(projectDir, "node_modules", "next", "dist", "bin", "next"),
    nextVersion: nextPackage.version,
    timings,
    reused,
  };
}

/** Older builds of this fixture (other hashes) that nobody is building right now: each holds a node_modules. */
function removeOtherBuilds(name: AnyFixture, keep: string): void {
  if (!existsSync(FIXTURES_WORK_DIR)) return;
  for (const entry of readdirSync(FIXTURES_WORK_DIR)) {
    const path = join(FIXTURES_WORK_DIR, entry);
    if (path === keep || !new RegExp(`^${name}-[0-9a-f]{16}$`).test(entry) || existsSync(`${path}.build-lock`))
      continue;
    rmSync(path, { recursive: true, force: true });
  }
}

/**
 * The environment for npm and next in a fixture: this process's, without what an outer `npm run` or vitest
 * set for this repository (npm_* package and workspace settings, NODE_ENV=test), which would leak into the
 * fixture's install or build.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      key === "NODE_ENV" ||
      key === "NEXT_DIST_DIR" ||
      key === "INIT_CWD" ||
      key === "VITEST" ||
      key.startsWith("VITEST_")
    )
      continue;
    if (key.startsWith("npm_") && !["npm_config_cache", "npm_config_registry", "npm_config_userconfig"].includes(key))
      continue;
    env[key] = value;
  }
  return env as NodeJS.ProcessEnv;
}
