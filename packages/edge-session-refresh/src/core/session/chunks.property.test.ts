/**
 * The chunk assembler: a real chunked session with chunks swapped, dropped, added, cut or joined by a
 * stray unsuffixed cookie never reads as any session but the original, never throws; more than 32
 * chunks is refused. 10 000 generated cases per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSessionCodec } from "./codec";
import { CHUNK_SIZE, chunkSessionCookie, joinSessionCookie, sessionCookieName } from "./chunks";
import { parseCookieHeader } from "./cookie-jar";

const RUNS = 10_000;
const SECRET = "property-secret-0123456789abcdef";
const NAME = sessionCookieName(false);
const codec = createSessionCodec({ secrets: [SECRET], maxAgeSeconds: 3600 });
const claims = {
  sub: "u1",
  email: "u@example.com",
  accessToken: "x".repeat(CHUNK_SIZE * 3),
  refreshToken: "r".repeat(64),
  accessTokenExpires: 1_900_000_000_000,
};
const tokens = { big: await codec.encode(claims) };
const bigChunks = chunkSessionCookie(NAME, tokens.big);

describe("chunk assembly properties", () => {
  const jarEdit = fc.oneof(
    fc.record({ kind: fc.constant("drop" as const), index: fc.nat() }),
    fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
    fc.record({
      kind: fc.constant("extra" as const),
      index: fc.integer({ min: 0, max: 40 }),
      value: fc.string({ maxLength: 20 }),
    }),
    fc.record({ kind: fc.constant("whole" as const), value: fc.string({ maxLength: 20 }) }),
    fc.record({ kind: fc.constant("truncate" as const), index: fc.nat(), keep: fc.nat() }),
  );

  it(`swapped, missing, extra or cut chunks never give a session other than the original, and never throw (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(jarEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const entries = bigChunks.map((chunk) => [chunk.name, chunk.value] as [string, string]);
        for (const edit of edits) {
          if (edit.kind === "drop" && entries.length > 0) entries.splice(edit.index % entries.length, 1);
          if (edit.kind === "swap" && entries.length > 1) {
            const a = edit.a % entries.length;
            const b = edit.b % entries.length;
            [entries[a]![1], entries[b]![1]] = [entries[b]![1], entries[a]![1]];
          }
          if (edit.kind === "extra") entries.push([`${NAME}.${edit.index}`, edit.value]);
          if (edit.kind === "whole") entries.unshift([NAME, edit.value]);
          if (edit.kind === "truncate" && entries.length > 0) {
            const at = edit.index % entries.length;
            entries[at]![1] = entries[at]![1].slice(0, edit.keep % (entries[at]![1].length + 1));
          }
        }
        const jar = parseCookieHeader(entries.map(([name, value]) => `${name}=${value}`).join("; "));
        const joined = joinSessionCookie(jar, NAME);
        const decoded = await codec.decode(joined);
        if (joined === tokens.big) expect(decoded).toMatchObject({ sub: claims.sub });
        else expect(decoded).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });

  it(`more than 32 chunks is refused before anything is joined (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 33, max: 200 }), fc.string({ maxLength: 4 }), (count, value) => {
        const jar = new Map(
          Array.from({ length: count }, (_, i) => [`${NAME}.${i}`, value || "x"] as [string, string]),
        );
        expect(joinSessionCookie(jar, NAME)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});
