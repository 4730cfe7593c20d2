// The reference docs an npm user gets in the tarball (docs/ beside dist/), copied from the repository at build
// time (the package's `build`, so `prepack` too). Each copy loses what only makes sense in a clone: passages
// between `<!-- repository-only -->` and `<!-- /repository-only -->`, and links to files that do not ship
// (they keep their words, not the link). Links between shipped docs point at their place in the package.
// `npm run check:pack` and scripts/packed-docs.test.ts scan the result for dead links.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";

const PACKAGE_DIR = resolve(import.meta.dirname, "..");
const ROOT = resolve(PACKAGE_DIR, "..", "..");

/** Repository path → path inside the package. */
export const SHIPPED_DOCS = Object.freeze({
  "docs/CONFIGURATION.md": "docs/CONFIGURATION.md",
  "docs/DEPLOYING.md": "docs/DEPLOYING.md",
  "MIGRATING.md": "docs/MIGRATING.md",
  "SECURITY.md": "docs/SECURITY.md",
});
/** Files of the package itself, linkable from the copies by their repository path. */
const PACKAGE_FILES = {
  "packages/edge-session-refresh/README.md": "README.md",
  "packages/edge-session-refresh/CHANGELOG.md": "CHANGELOG.md",
};

const REPOSITORY_ONLY = /<!-- repository-only -->[\s\S]*?<!-- \/repository-only -->\n*/g;
const LINK = /(!?)\[([^\]]*)\]\(([^)\s]+)\)/g;

/** One doc as it ships: repository-only passages out, links re-pointed or unlinked. */
export function shippedText(source, text) {
  const targets = { ...SHIPPED_DOCS, ...PACKAGE_FILES };
  const shippedAs = targets[source];
  return outsideCode(text.replace(REPOSITORY_ONLY, ""), (prose) =>
    prose.replace(LINK, (whole, image, words, target) => {
      if (/^[a-z]+:/i.test(target) || target.startsWith("#")) return whole;
      const [path, anchor] = target.split("#");
      const inRepository = posix.normalize(posix.join(posix.dirname(source), path));
      const packaged = targets[inRepository];
      if (packaged === undefined) return words;
      const linked = posix.relative(posix.dirname(shippedAs), packaged) || posix.basename(packaged);
      return `${image}[${words}](${linked}${anchor === undefined ? "" : `#${anchor}`})`;
    }),
  );
}

/** Applies `edit` to the text outside fenced code blocks. */
export function outsideCode(text, edit) {
  return text
    .split(/(^```[\s\S]*?^```)/m)
    .map((part, index) => (index % 2 === 1 ? part : edit(part)))
    .join("");
}

/** Writes every shipped doc under `packageDir` (default: this package), replacing what was there. */
export function shipDocs(packageDir = PACKAGE_DIR) {
  rmSync(join(packageDir, "docs"), { recursive: true, force: true });
  for (const [source, target] of Object.entries(SHIPPED_DOCS)) {
    const out = join(packageDir, target);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, shippedText(source, readFileSync(join(ROOT, source), "utf8")));
  }
  return Object.values(SHIPPED_DOCS).map((target) => relative(packageDir, join(packageDir, target)));
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  console.log(`edge-session-refresh: docs shipped: ${shipDocs().join(", ")}`);
}
