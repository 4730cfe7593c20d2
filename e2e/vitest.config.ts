import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** Browser tests (`npm run test:e2e`): real Chromium tabs against real `next start` instances. Not part of `npm test`. */
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("../src", import.meta.url)) } },
  test: {
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    // One browser at a time: the tests measure timing and count backend calls.
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
