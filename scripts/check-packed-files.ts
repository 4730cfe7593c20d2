/**
 * `npm run check:pack`: what `npm publish` would ship of edge-session-refresh, checked before anyone installs
 * it. Runs `npm pack --dry-run --json -w edge-session-refresh` (its prepack builds dist/ first, exactly as
 * publishing does) and exits 1 unless the file list is: the built JavaScript and declarations under dist/,
 * package.json, README.md, LICENSE, CHANGELOG.md, the reference docs under docs/ (whose markdown links must all
 * resolve inside the tarball); no tests, no sources, no source maps; and every entry point
 * of the `exports` map present with its `types` and its code. The client entry keeps "use client".
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { packedDocsProblems } from "./packed-docs";

const PACKAGE_DIR = resolve(import.meta.dirname, "..", "packages", "edge-session-refresh");
/** Files every published version carries beside dist/. */
export const REQUIRED_FILES = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"] as const;
const BUILT_FILE = /^dist\/(?:.+\/)?[^/]+\.(?:js|d\.ts)$/;
/** The reference docs the build copies in (packages/edge-session-refresh/scripts/ship-docs.mjs). */
const SHIPPED_DOC = /^docs\/[A-Z-]+\.md$/;
/** Tests, and the helpers only the package's tests use (a test-support/ folder; docs/TESTING.md, "The test boundary"). */
const TEST_FILE = /(?:^|\/)(?:__tests__\/|test-support\/|[^/]*\.(?:test|spec|property\.test|e2e)\.[cm]?[jt]sx?$)/;
/** The entry point whose built files must start with the directive (bundlers drop it otherwise; tsup#835). */
export const CLIENT_ENTRY = "./client";

type ExportTarget = string | { readonly types?: string; readonly default?: string; readonly import?: string };

export interface PackedPackage {
  /** Paths inside the tarball, relative to its package/ folder. */
  readonly files: readonly string[];
  /** package.json's `exports`. */
  readonly exports: Readonly<Record<string, ExportTarget>>;
}

/** Every reason the file list is not what users should install; empty when it is. */
export function packedFileProblems({ files, exports }: PackedPackage): string[] {
  const problems: string[] = [];
  const shipped = new Set(files);
  for (const file of files) {
    if (TEST_FILE.test(file)) problems.push(`${file}: a test is packed`);
    else if (/^src\//.test(file) || (/\.[cm]?tsx?$/.test(file) && !file.endsWith(".d.ts")))
      problems.push(`${file}: a source file is packed`);
    else if (!BUILT_FILE.test(file) && !SHIPPED_DOC.test(file) && !(REQUIRED_FILES as readonly string[]).includes(file))
      problems.push(
        `${file}: neither built JavaScript, a declaration, a doc under docs/, nor one of ${REQUIRED_FILES.join(", ")}`,
      );
  }
  for (const required of REQUIRED_FILES) if (!shipped.has(required)) problems.push(`${required} is missing`);
  const entries = Object.entries(exports).filter(([entry]) => entry !== "./package.json");
  if (entries.length === 0) problems.push("package.json has no exports map");
  for (const [entry, target] of entries) {
    if (typeof target === "string" || target.types === undefined) {
      problems.push(`exports["${entry}"] has no types condition`);
      continue;
    }
    const code = target.default ?? target.import;
    for (const [kind, path] of [
      ["types", target.types],
      ["code", code],
    ] as const) {
      if (path === undefined) problems.push(`exports["${entry}"] has no ${kind}`);
      else if (!shipped.has(path.replace(/^\.\//, "")))
        problems.push(`exports["${entry}"] ${kind} ${path} is not in the tarball`);
    }
  }
  return problems;
}

/** The npm pack --json report, after whatever prepack printed on the same stdout. */
export function parsePackReport(stdout: string): {
  files: string[];
  size: number;
  unpackedSize: number;
  filename: string;
} {
  const start = stdout.search(/^\[\s*$/m);
  if (start < 0) throw new Error(`npm pack printed no JSON report:\n${stdout.slice(-2000)}`);
  const [report] = JSON.parse(stdout.slice(start)) as Array<{
    filename: string;
    size: number;
    unpackedSize: number;
    files: Array<{ path: string }>;
  }>;
  if (!report) throw new Error("npm pack reported no package");
  return {
    filename: report.filename,
    size: report.size,
    unpackedSize: report.unpackedSize,
    files: report.files.map((file) => file.path),
  };
}

async function main(): Promise<void> {
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "-w", "edge-session-refresh"], {
    cwd: resolve(PACKAGE_DIR, "..", ".."),
    maxBuffer: 64 * 1024 * 1024,
  });
  const report = parsePackReport(stdout);
  const manifest = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as {
    exports?: Record<string, ExportTarget>;
  };
  const problems = packedFileProblems({ files: report.files, exports: manifest.exports ?? {} });
  // The shipped markdown must stand on its own: no dead links, no "see the repository".
  const markdown = new Map(
    report.files
      .filter((file) => file.endsWith(".md"))
      .map((file) => [file, readFileSync(join(PACKAGE_DIR, file), "utf8")]),
  );
  problems.push(...packedDocsProblems(markdown));
  const client = manifest.exports?.[CLIENT_ENTRY];
  const clientCode = typeof client === "object" ? (client.default ?? client.import) : client;
  if (clientCode !== undefined && !/^\s*["']use client["']/.test(readFileSync(join(PACKAGE_DIR, clientCode), "utf8")))
    problems.push(`${clientCode} does not start with "use client"`);
  console.log(
    `${report.filename}: ${report.files.length} files, ${(report.size / 1024).toFixed(1)} KB packed, ${(report.unpackedSize / 1024).toFixed(1)} KB unpacked`,
  );
  for (const file of report.files) console.log(`  ${file}`);
  if (problems.length > 0) {
    console.error(`the packed file list is wrong:\n  - ${problems.join("\n  - ")}`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
