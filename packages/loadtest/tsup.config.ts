import { defineConfig } from "tsup";

// Plain ESM for Node: the bin (with its shebang, kept by esbuild) and the programmatic entry the
// repository's own `npm run loadtest` uses. No dependencies to keep external: there are none.
export default defineConfig({
  entry: { index: "src/index.ts", bin: "src/bin.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  dts: { entry: { index: "src/index.ts" } },
  splitting: true,
  sourcemap: false,
  clean: false,
  outDir: "dist",
});
