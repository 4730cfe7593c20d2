/**
 * Bundles edge-tests/worker.ts for workerd the way an edge deploy would: one ES module, web conditions,
 * no Node resolution. Anything that resolves to a Node built-in (`node:*` or a bare `fs`, `crypto`, …)
 * fails the build: that failure is the proof that the core uses nothing but web-standard APIs. The
 * workers then run without `nodejs_compat`, so a Node global (Buffer, process) would fail at run time too.
 *
 * The bundle is cached in the OS temp dir, keyed by the build options and validated against the content
 * hash of every input esbuild read, so the test files of one run (and later runs, until src/core or a
 * dependency changes) share one build. Entries are written whole with a rename, so parallel test files
 * never read half a bundle.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build, version as esbuildVersion, type BuildOptions, type Plugin } from "esbuild";

/** Workers' compatibility date for every Miniflare in edge-tests; no compatibility flags, nodejs_compat least of all. */
export const COMPATIBILITY_DATE = "2025-09-01";

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const WORKER_ENTRY = join(PROJECT_ROOT, "edge-tests", "worker.ts");
const CACHE_DIR = join(tmpdir(), "esr-edge-tests");

/** Every spelling of a Node built-in a module could import. */
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/** Fails the build on any Node built-in, naming who imported it. */
export const refuseNodeBuiltins: Plugin = {
  name: "refuse-node-builtins",
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /.*/ }, (args) => {
      if (!args.path.startsWith("node:") && !NODE_BUILTINS.has(args.path)) return undefined;
      return {
        errors: [
          {
            text: `"${args.path}" is a Node built-in (imported by ${args.importer || "the entry"}): edge code may use web-standard APIs only`,
          },
        ],
      };
    });
  },
};

/** What an edge runtime's bundler does: web and workerd conditions, browser fields first, everything inlined. */
const EDGE_BUILD_OPTIONS = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["browser", "module", "main"],
  absWorkingDir: PROJECT_ROOT,
  write: false,
  metafile: true,
  logLevel: "silent",
  legalComments: "none",
} as const satisfies BuildOptions;

export interface EdgeBundle {
  /** The ES module's source, for Miniflare's `script` with `modules: true`. */
  readonly code: string;
  /** Files esbuild read, relative to the project root. */
  readonly inputs: readonly string[];
  /** Whether this came from the cache rather than a build just now. */
  readonly cached: boolean;
  readonly buildMs: number;
}

interface CacheEntry {
  readonly code: string;
  /** Input path → sha256 of its content at build time. */
  readonly inputs: Record<string, string>;
  readonly buildMs: number;
}

/** Bundles any entry with the edge options; rejects with esbuild's errors (a Node built-in among them). */
export async function buildEdgeBundle(entry: string): Promise<{ code: string; inputs: string[]; buildMs: number }> {
  const started = performance.now();
  const result = await build({ ...EDGE_BUILD_OPTIONS, entryPoints: [entry], plugins: [refuseNodeBuiltins] });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  return {
    code: output.text,
    inputs: Object.keys(result.metafile.inputs),
    buildMs: Math.round(performance.now() - started),
  };
}

let memo: Promise<EdgeBundle> | undefined;

/** The worker bundle for this test run: built once, or taken from the temp-dir cache when no input changed. */
export function bundleWorker(): Promise<EdgeBundle> {
  memo ??= loadOrBuild().catch((error: unknown) => {
    memo = undefined;
    throw error;
  });
  return memo;
}

async function loadOrBuild(): Promise<EdgeBundle> {
  const key = sha256(JSON.stringify({ esbuildVersion, options: EDGE_BUILD_OPTIONS, entry: WORKER_ENTRY })).slice(0, 16);
  const file = join(CACHE_DIR, `worker-${key}.json`);
  const cached = await readCache(file);
  if (cached !== undefined && (await inputsUnchanged(cached.inputs))) {
    return { code: cached.code, inputs: Object.keys(cached.inputs), cached: true, buildMs: cached.buildMs };
  }

  const built = await buildEdgeBundle(WORKER_ENTRY);
  const inputs: Record<string, string> = {};
  for (const input of built.inputs) inputs[input] = sha256(await readFile(join(PROJECT_ROOT, input)));
  const entry: CacheEntry = { code: built.code, inputs, buildMs: built.buildMs };
  await mkdir(CACHE_DIR, { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, JSON.stringify(entry));
  await rename(temporary, file);
  return { code: built.code, inputs: built.inputs, cached: false, buildMs: built.buildMs };
}

async function readCache(file: string): Promise<CacheEntry | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, "utf8")) as Partial<CacheEntry>;
    if (
      typeof entry.code === "string" &&
      typeof entry.inputs === "object" &&
      entry.inputs !== null &&
      typeof entry.buildMs === "number"
    ) {
      return entry as CacheEntry;
    }
  } catch {
    // No entry yet, or an unreadable one: build.
  }
  return undefined;
}

async function inputsUnchanged(inputs: Record<string, string>): Promise<boolean> {
  for (const [input, hash] of Object.entries(inputs)) {
    try {
      if (sha256(await readFile(join(PROJECT_ROOT, input))) !== hash) return false;
    } catch {
      return false;
    }
  }
  return true;
}

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
