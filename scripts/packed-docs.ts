/**
 * The markdown an npm user gets in the tarball must stand on its own: every relative link names a file that
 * ships (and a heading that exists in it), and nothing sends the reader to "the repository", which they do
 * not have. `npm run check:pack` runs this on the packed files; scripts/packed-docs.test.ts on a fresh copy.
 */
import { posix } from "node:path";

const LINK = /!?\[[^\]]*\]\(([^)\s]+)\)/g;
const REPOSITORY = /\brepositor(?:y|ies)\b/i;

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFencedCode(markdown).split("\n")) {
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const slug = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

function withoutFencedCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "");
}

/** Every dead link and every mention of a repository in `files` (package path → markdown text). */
export function packedDocsProblems(files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  for (const [file, text] of files) {
    const prose = withoutFencedCode(text);
    prose.split("\n").forEach((line, index) => {
      if (REPOSITORY.test(line)) problems.push(`${file}:${index + 1}: mentions a repository: ${line.trim()}`);
    });
    for (const [, target] of prose.matchAll(LINK)) {
      if (/^[a-z]+:/i.test(target!)) continue;
      const [path, anchor] = target!.split("#") as [string, string | undefined];
      const linked = path === "" ? file : posix.normalize(posix.join(posix.dirname(file), path));
      const linkedText = files.get(linked);
      if (linkedText === undefined) problems.push(`${file}: links ${target}, which does not ship`);
      else if (anchor !== undefined && !headingAnchors(linkedText).has(anchor))
        problems.push(`${file}: links ${target}, but ${linked} has no heading #${anchor}`);
    }
  }
  return problems;
}
