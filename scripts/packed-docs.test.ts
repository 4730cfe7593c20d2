import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { shipDocs, shippedText } from "../test-support/package-internals";
import { SETTING_NAMES } from "edge-session-refresh";
import { headingAnchors, packedDocsProblems } from "./packed-docs";

const PACKAGE = resolve(import.meta.dirname, "..", "packages", "edge-session-refresh");
const out = mkdtempSync(join(tmpdir(), "packed-docs-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The markdown the tarball carries: README and CHANGELOG as they are, docs/ as the build ships them. */
function packedMarkdown(): Map<string, string> {
  (shipDocs as (dir: string) => string[])(out);
  const files = new Map<string, string>();
  for (const file of ["README.md", "CHANGELOG.md"]) files.set(file, readFileSync(join(PACKAGE, file), "utf8"));
  for (const file of readdirSync(join(out, "docs")))
    files.set(`docs/${file}`, readFileSync(join(out, "docs", file), "utf8"));
  return files;
}

describe("the packed markdown", () => {
  it("has no dead link and never sends the reader to a repository", () => {
    const files = packedMarkdown();
    expect([...files.keys()].sort()).toEqual(
      [
        "CHANGELOG.md",
        "README.md",
        "docs/CONFIGURATION.md",
        "docs/DEPLOYING.md",
        "docs/MIGRATING.md",
        "docs/SECURITY.md",
      ].sort(),
    );
    expect(packedDocsProblems(files)).toEqual([]);
  });

  it("the package README names every setting the settings parser reads", () => {
    const readme = readFileSync(join(PACKAGE, "README.md"), "utf8");
    expect(SETTING_NAMES.length).toBeGreaterThan(40);
    expect(SETTING_NAMES.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it("the checker finds a dead file, a dead anchor and a repository", () => {
    const files = new Map([
      ["README.md", "# Top\n\n[a](docs/X.md) [b](#nowhere) [c](CHANGELOG.md#top)\nsee the repository\n"],
      ["CHANGELOG.md", "# Changes\n"],
    ]);
    expect(packedDocsProblems(files)).toEqual([
      "README.md:4: mentions a repository: see the repository",
      "README.md: links docs/X.md, which does not ship",
      "README.md: links #nowhere, but README.md has no heading #nowhere",
      "README.md: links CHANGELOG.md#top, but CHANGELOG.md has no heading #top",
    ]);
    expect(headingAnchors("## 4. Add `proxy.ts` or middleware.ts\n## The login redirect's origin\n")).toEqual(
      new Set(["4-add-proxyts-or-middlewarets", "the-login-redirects-origin"]),
    );
  });

  it("a shipped doc drops repository-only passages and unlinks files that do not ship", () => {
    const text =
      "[cfg](docs/CONFIGURATION.md#x) [fx](fixtures/app-router/)\n<!-- repository-only -->\nclone\n<!-- /repository-only -->\nend\n";
    expect((shippedText as (source: string, text: string) => string)("MIGRATING.md", text)).toBe(
      "[cfg](CONFIGURATION.md#x) fx\nend\n",
    );
  });
});
