/**
 * The API reports (scripts/api-report.ts) match the built declarations, and every exported name of every entry
 * is documented where an npm user reads: the package README or a doc the tarball ships.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shipDocs } from "../test-support/package-internals";
import { entryPoints, PACKAGE_DIR, publicSurface, renderReport } from "./api-report";

let surface: ReturnType<typeof publicSurface>;
const out = mkdtempSync(join(tmpdir(), "api-docs-"));
beforeAll(() => {
  // dist/ is built by `pretest` (npm run build:lib), as for every test that reads the package.
  surface = publicSurface();
  (shipDocs as (dir: string) => string[])(out);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("API reports", () => {
  it("cover every entry of the exports map, and are up to date with the built declarations", () => {
    const entries = entryPoints();
    expect(entries.map((entry) => entry.entry)).toEqual([
      ".",
      "./next",
      "./client",
      "./testing",
      "./stores",
      "./stores/node",
    ]);
    for (const { entry, report } of entries) {
      expect(readFileSync(report, "utf8"), `${report}: run npm run api:update`).toBe(
        renderReport(entry, surface.get(entry)!),
      );
    }
  });

  it("every exported name of every entry is in the package README or a shipped doc", () => {
    const docs = [
      readFileSync(join(PACKAGE_DIR, "README.md"), "utf8"),
      ...readdirSync(join(out, "docs")).map((file) => readFileSync(join(out, "docs", file), "utf8")),
    ].join("\n");
    const undocumented = [...surface].flatMap(([entry, names]) =>
      [...names.keys()].filter((name) => !new RegExp(`\\b${name}\\b`).test(docs)).map((name) => `${entry}: ${name}`),
    );
    expect(undocumented).toEqual([]);
  });
});
