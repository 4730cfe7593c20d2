/**
 * `npm run size`: the edge middleware's bundle as Vercel would ship it, measured from the `next build`
 * output (the files the middleware manifest lists), raw and gzipped. Vercel's smallest edge limit is
 * 1 MB gzipped; our budget is 250 KB. Exits 1 over budget, so CI catches a heavy import. A build switched to
 * the Node proxy (`npm run runtime:node`) has no edge bundle and passes, so vercel.json's build still works.
 * The measuring itself is test-support/middleware-bundle.ts, which the tests share.
 */
import {
  BUDGET_GZIP_BYTES,
  measureMiddlewareBundle,
  middlewareRuntime,
  VERCEL_HOBBY_LIMIT_GZIP_BYTES,
} from "../test-support/middleware-bundle";

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

const distDir = process.env.NEXT_DIST_DIR ?? ".next";
if (middlewareRuntime(distDir) === "nodejs") {
  // After `npm run runtime:node` the middleware is a Node proxy: no edge bundle, no edge size limit.
  console.log("session middleware: Node proxy (src/proxy.ts), no edge bundle to measure");
  process.exit(0);
}
const size = measureMiddlewareBundle(distDir);
for (const file of size.files)
  console.log(`  ${kb(file.gzipBytes).padStart(10)} gz  ${kb(file.bytes).padStart(10)} raw  ${file.file}`);
console.log(
  `edge middleware bundle: ${kb(size.gzipBytes)} gzipped (${kb(size.bytes)} raw); budget ${kb(BUDGET_GZIP_BYTES)}, Vercel Hobby limit ${kb(VERCEL_HOBBY_LIMIT_GZIP_BYTES)}`,
);
if (size.gzipBytes > BUDGET_GZIP_BYTES) {
  console.error(`over budget by ${kb(size.gzipBytes - BUDGET_GZIP_BYTES)}`);
  process.exit(1);
}
