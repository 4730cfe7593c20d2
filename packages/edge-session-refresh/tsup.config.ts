import { readdirSync } from "node:fs";
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
  // The package's own entries stay imports: src/next/node-stores.ts loads /stores/node at run time.
  external: [/^edge-session-refresh\//],
};

const publicEntries = {
  "core/index": "src/core/index.ts",
  "next/index": "src/next/index.ts",
  "testing/index": "src/testing/index.ts",
  "stores/index": "src/stores/index.ts",
  "stores/node/index": "src/stores/node/index.ts",
};

// Every module of src/next is also an entry of its own (dist/next/parts/, not in the exports map, so not
// importable). With code splitting, dist/next/index.js then only re-exports from separate chunks instead of
// holding everything in one module, and with "sideEffects": false an app's bundler takes just what it uses:
// the middleware's bundle gets the middleware, not authorize()'s sign-in limiter and @upstash/ratelimit.
const nextParts = Object.fromEntries(
  readdirSync("src/next")
    .filter((file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== "index.ts")
    .map((file) => [`next/parts/${file.slice(0, -3)}`, `src/next/${file}`]),
);

export default defineConfig([
  {
    ...common,
    entry: { ...publicEntries, ...nextParts },
    dts: { entry: publicEntries },
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
