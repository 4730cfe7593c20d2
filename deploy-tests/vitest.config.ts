import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** `npm run test:vercel`: checks .vercel/output from `npm run vercel:build`. Not part of `npm test` (it needs that build). */
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("../src", import.meta.url)) } },
  test: {
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: ["deploy-tests/**/*.test.ts"],
    environment: "node",
  },
});
