/**
 * One canonical setup: every `matcher:` literal in the docs, the demo and the fixtures is the one in
 * ../shared/CONTRACT.md, character for character. Next reads `config.matcher` at build time without running
 * code, so it cannot be shared as a constant; this test is what keeps the copies equal.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
/** The literal as it is written in a TypeScript source (backslashes doubled in the string). */
const CANONICAL_MATCHER = String.raw`["/((?!api/auth/|_next/static/|_next/image|favicon\\.ico|login).*)", "/api/auth/session"]`;

/** Files that must show the matcher at least once (an adopter copies it from each of them). */
const MUST_SHOW = [
  "packages/edge-session-refresh/README.md",
  "MIGRATING.md",
  "docs/CONFIGURATION.md",
  "fixtures/pages-router/middleware.ts",
  "fixtures/app-router/src/middleware.ts",
  "fixtures/adopter/src/proxy.ts",
];
/** Where the demo's middleware is: src/middleware.ts on the edge, src/proxy.ts after `npm run runtime:node`. */
const DEMO = ["src/middleware.ts", "src/proxy.ts"];
/** Checked when they carry a matcher at all. */
const MAY_SHOW = [
  "README.md",
  "SECURITY.md",
  "fixtures/app-router/README.md",
  "fixtures/pages-router/README.md",
  ...docs(),
];
/**
 * CI checks out shared/ beside the clone (../shared); a git worktree under wt/ finds it one level further up.
 * A bare clone has neither and skips that one file.
 */
const CONTRACT =
  [resolve(ROOT, "..", "shared", "CONTRACT.md"), resolve(ROOT, "..", "..", "shared", "CONTRACT.md")].find((path) =>
    existsSync(path),
  ) ?? "";

function docs(): string[] {
  return readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
}

/** Every `matcher: [...]` literal in a file, as written. */
function matcherLiterals(text: string): string[] {
  return [...text.matchAll(/\bmatcher:\s*(\[[^\]]*\])/g)].map((match) =>
    match[1]!
      .replace(/\s*\n\s*/g, " ")
      .replace(/^\[\s+/, "[")
      .replace(/,?\s*\]$/, "]"),
  );
}

describe("the canonical matcher", () => {
  const files = [...new Set([...MUST_SHOW, ...DEMO, ...MAY_SHOW])].filter((file) => existsSync(join(ROOT, file)));

  it.each(files)("%s uses only the canonical literal", (file) => {
    for (const literal of matcherLiterals(readFileSync(join(ROOT, file), "utf8")))
      expect(literal, file).toBe(CANONICAL_MATCHER);
  });

  it("every file an adopter copies from shows it, and so does the demo's middleware", () => {
    for (const file of MUST_SHOW)
      expect(matcherLiterals(readFileSync(join(ROOT, file), "utf8")), file).toContain(CANONICAL_MATCHER);
    const demo = DEMO.filter((file) => existsSync(join(ROOT, file)));
    expect(demo).toHaveLength(1);
    expect(matcherLiterals(readFileSync(join(ROOT, demo[0]!), "utf8"))).toEqual([CANONICAL_MATCHER]);
  });

  it.skipIf(CONTRACT === "")(
    "is the one ../shared/CONTRACT.md states (skipped when shared/ is not beside the clone)",
    () => {
      const literals = matcherLiterals(readFileSync(CONTRACT, "utf8"));
      expect(literals.length).toBeGreaterThan(0);
      for (const literal of literals) expect(literal).toBe(CANONICAL_MATCHER);
    },
  );

  it("finds a literal written over several lines, and a different one", () => {
    expect(matcherLiterals(`matcher: [\n  "/a",\n  "/b",\n]`)).toEqual([`["/a", "/b"]`]);
    expect(matcherLiterals(`export const config = { matcher: ["/x"] };`)).toEqual([`["/x"]`]);
  });
});
