import { defineConfig, type Options } from "tsup";

// dist/ is emptied by the build script first: the two builds run side by side, so neither may clean it.
// Dependencies and peers stay imports (tsup's default); the core, /next and /testing share chunks.
// The client entry is built on its own, as one file, without the rollup tree-shaking pass that strips module
// directives (egoist/tsup#835): esbuild keeps the source's "use client" at the top of the output.
const common: Options = {
  format: "esm",
  target: "es2022",
  platform: "neutral",
  dts: true,
  sourcemap: false,
  outDir: "dist",
  treeshake: true,
};

export default defineConfig([
  {
    ...common,
    entry: { "core/index": "src/core/index.ts", "next/index": "src/next/public.ts", "testing/index": "src/testing/index.ts" },
    splitting: true,
    clean: false,
  },
  {
    ...common,
    entry: { "client/index": "src/client/index.ts" },
    splitting: false,
    clean: false,
    treeshake: false,
  },
]);
