import { describe, expect, it } from "vitest";
import { packedFileProblems, parsePackReport, type PackedPackage } from "./check-packed-files";

const EXPORTS: PackedPackage["exports"] = {
  ".": { types: "./dist/core/index.d.ts", default: "./dist/core/index.js" },
  "./client": { types: "./dist/client/index.d.ts", default: "./dist/client/index.js" },
  "./package.json": "./package.json",
};
const GOOD = [
  "package.json",
  "README.md",
  "LICENSE",
  "CHANGELOG.md",
  "dist/core/index.js",
  "dist/core/index.d.ts",
  "dist/client/index.js",
  "dist/client/index.d.ts",
  "dist/chunk-AB12.js",
  "dist/runtime-x1.d.ts",
];

describe("packedFileProblems", () => {
  it("accepts built JavaScript, declarations and the four package files", () => {
    expect(packedFileProblems({ files: GOOD, exports: EXPORTS })).toEqual([]);
  });

  it.each([
    ["a test", [...GOOD, "dist/core/codec.test.js"], /codec\.test\.js: a test is packed/],
    ["a property test", [...GOOD, "dist/core/chunks.property.test.js"], /a test is packed/],
    [
      "a test helper",
      [...GOOD, "dist/core/refresh/test-support/coordinator.js"],
      /test-support\/coordinator\.js: a test is packed/,
    ],
    ["a source folder", [...GOOD, "src/core/index.ts"], /src\/core\/index\.ts: a source file is packed/],
    ["a TypeScript source in dist", [...GOOD, "dist/core/index.ts"], /a source file is packed/],
    ["a source map", [...GOOD, "dist/core/index.js.map"], /index\.js\.map: neither built JavaScript/],
    ["a build stamp", [...GOOD, "dist/.built"], /dist\/\.built: neither/],
    ["a stray config", [...GOOD, "tsup.config.ts"], /a source file is packed/],
    ["no LICENSE", GOOD.filter((file) => file !== "LICENSE"), /LICENSE is missing/],
    ["no CHANGELOG", GOOD.filter((file) => file !== "CHANGELOG.md"), /CHANGELOG\.md is missing/],
    [
      "an entry point's declarations missing",
      GOOD.filter((file) => file !== "dist/client/index.d.ts"),
      /exports\["\.\/client"\] types \.\/dist\/client\/index\.d\.ts is not in the tarball/,
    ],
    [
      "an entry point's code missing",
      GOOD.filter((file) => file !== "dist/core/index.js"),
      /exports\["\."\] code \.\/dist\/core\/index\.js is not in the tarball/,
    ],
  ])("refuses %s", (_case, files, problem) => {
    const problems = packedFileProblems({ files, exports: EXPORTS });
    expect(problems.length).toBe(1);
    expect(problems[0]).toMatch(problem);
  });

  it("refuses an entry point without a types condition, and a package without an exports map", () => {
    expect(
      packedFileProblems({ files: GOOD, exports: { ...EXPORTS, "./testing": "./dist/testing/index.js" } }),
    ).toEqual(['exports["./testing"] has no types condition']);
    expect(packedFileProblems({ files: GOOD, exports: {} })).toEqual(["package.json has no exports map"]);
  });
});

describe("parsePackReport", () => {
  it("reads the JSON report after what prepack printed on stdout", () => {
    const stdout = `\n> edge-session-refresh@0.2.0 prepack\n> npm run build\nCLI Building entry: {"core/index":"src/core/index.ts"}\nESM [id] built\n[\n  {\n    "filename": "edge-session-refresh-0.2.0.tgz",\n    "size": 100,\n    "unpackedSize": 300,\n    "files": [{ "path": "package.json" }, { "path": "dist/core/index.js" }]\n  }\n]\n`;
    expect(parsePackReport(stdout)).toEqual({
      filename: "edge-session-refresh-0.2.0.tgz",
      size: 100,
      unpackedSize: 300,
      files: ["package.json", "dist/core/index.js"],
    });
  });

  it("says so when npm printed no report", () => {
    expect(() => parsePackReport("npm error code E404\n")).toThrow(/no JSON report/);
  });
});
