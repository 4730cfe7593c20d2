/**
 * The session middleware's bundle as `next build` wrote it: which runtime it runs on (edge middleware or
 * Node proxy, from Next's own manifests) and its size, raw and gzipped, against the budget. Shared by
 * `npm run size` (bench/edge-bundle-size.ts), the fixture contract, the integration tests and the Vercel
 * output check, so all of them measure the same files the same way.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

/** Our budget for the edge middleware, gzipped; Vercel's smallest edge limit is 1 MB. */
export const BUDGET_GZIP_BYTES = 100 * 1024;
export const VERCEL_HOBBY_LIMIT_GZIP_BYTES = 1024 * 1024;

interface MiddlewareManifest {
  middleware: Record<
    string,
    { files: string[]; wasm?: Array<{ filePath: string }>; assets?: Array<{ filePath: string }> }
  >;
}

export interface BundleSize {
  readonly files: ReadonlyArray<{ file: string; bytes: number; gzipBytes: number }>;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/**
 * Where a build's session middleware runs, from Next's own manifests: an edge middleware is listed in
 * middleware-manifest.json, a Node proxy (src/proxy.ts) in functions-config-manifest.json as `/_middleware`.
 */
export function middlewareRuntime(distDir = ".next"): "edge" | "nodejs" | "none" {
  const server = join(resolve(distDir), "server");
  const edge = JSON.parse(readFileSync(join(server, "middleware-manifest.json"), "utf8")) as MiddlewareManifest;
  const functionsPath = join(server, "functions-config-manifest.json");
  const functions = existsSync(functionsPath)
    ? ((JSON.parse(readFileSync(functionsPath, "utf8")) as { functions?: Record<string, { runtime?: string }> })
        .functions ?? {})
    : {};
  const node = functions["/_middleware"]?.runtime === "nodejs";
  const hasEdge = Object.keys(edge.middleware).length > 0;
  if (hasEdge && node) throw new Error(`${server} lists both an edge middleware and a Node proxy`);
  return hasEdge ? "edge" : node ? "nodejs" : "none";
}

export function measureMiddlewareBundle(distDir = ".next"): BundleSize {
  const root = resolve(distDir);
  const manifest = JSON.parse(
    readFileSync(join(root, "server", "middleware-manifest.json"), "utf8"),
  ) as MiddlewareManifest;
  const entries = Object.values(manifest.middleware);
  if (entries.length === 0)
    throw new Error(`no middleware in ${distDir}/server/middleware-manifest.json: build first (npm run build)`);
  const paths = new Set<string>();
  for (const entry of entries) {
    for (const file of entry.files) paths.add(file);
    for (const extra of [...(entry.wasm ?? []), ...(entry.assets ?? [])]) paths.add(extra.filePath);
  }
  const files = [...paths].map((file) => {
    const content = readFileSync(join(root, file));
    return { file, bytes: statSync(join(root, file)).size, gzipBytes: gzipSync(content, { level: 9 }).length };
  });
  // Vercel compresses the function as a whole; gzip of the concatenation is the closer figure.
  const all = Buffer.concat([...paths].map((file) => readFileSync(join(root, file))));
  return { files, bytes: all.length, gzipBytes: gzipSync(all, { level: 9 }).length };
}
