import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  test: {
    include: [
      "packages/*/src/**/*.test.ts",
      "src/**/*.test.ts",
      "dev/**/*.test.ts",
      "test-support/**/*.test.ts",
      "edge-tests/**/*.test.ts",
      "integration/**/*.test.ts",
      "bench/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    environment: "node",
    testTimeout: 20_000,
    hookTimeout: 180_000,
  },
});
