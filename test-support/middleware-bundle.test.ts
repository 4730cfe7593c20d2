import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { middlewareRuntime } from "./middleware-bundle";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A dist dir with Next's two manifests, shaped as Next 16 writes them for middleware.ts and proxy.ts. */
function dist(edge: Record<string, unknown>, functions?: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), "dist-"));
  dirs.push(dir);
  mkdirSync(join(dir, "server"));
  writeFileSync(
    join(dir, "server", "middleware-manifest.json"),
    JSON.stringify({ version: 3, middleware: edge, sortedMiddleware: [], functions: {} }),
  );
  if (functions)
    writeFileSync(join(dir, "server", "functions-config-manifest.json"), JSON.stringify({ version: 1, functions }));
  return dir;
}

describe("middlewareRuntime", () => {
  it("tells an edge middleware, a Node proxy and no middleware apart from the manifests", () => {
    expect(middlewareRuntime(dist({ "/": { files: ["server/edge/chunks/a.js"] } }, {}))).toBe("edge");
    expect(middlewareRuntime(dist({}, { "/_middleware": { runtime: "nodejs", matchers: [] } }))).toBe("nodejs");
    expect(middlewareRuntime(dist({}))).toBe("none");
    expect(middlewareRuntime(dist({}, { "/api/x": { runtime: "nodejs" } }))).toBe("none");
  });

  it("refuses a build that lists both", () => {
    expect(() => middlewareRuntime(dist({ "/": { files: [] } }, { "/_middleware": { runtime: "nodejs" } }))).toThrow(
      /both/,
    );
  });
});
