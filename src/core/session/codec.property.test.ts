/**
 * The cookie reader never throws and never accepts what it should not: any string, any cookie header,
 * any mix of chunks, tokens under another secret, other JWE algorithms (`none` included), a tampered
 * protected header or ciphertext, oversized sets, and well-encrypted plaintexts that are not UTF-8 JSON
 * objects — each ends as null (no session). 10 000 generated cases per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../base64url";
import { createSessionCodec } from "./codec";
import { CHUNK_SIZE, chunkSessionCookie, joinSessionCookie, sessionCookieName } from "./chunks";
import { parseCookieHeader } from "./cookie-jar";
import { NEXT_AUTH_PROTECTED_HEADER } from "./jwe";
import { sessionEncryptionKey } from "./keys";

const RUNS = 10_000;
const SECRET = "property-secret-0123456789abcdef";
const NAME = sessionCookieName(false);
const codec = createSessionCodec({ secrets: [SECRET], maxAgeSeconds: 3600 });
const otherCodec = createSessionCodec({ secrets: ["another-secret-0123456789abcdef"], maxAgeSeconds: 3600 });
const claims = { sub: "u1", email: "u@example.com", accessToken: "a".repeat(64), refreshToken: "r".repeat(64), accessTokenExpires: 1_900_000_000_000 };

const tokens = {
  small: await codec.encode(claims),
  big: await codec.encode({ ...claims, accessToken: "x".repeat(CHUNK_SIZE * 3) }),
  foreign: await otherCodec.encode(claims),
};
const bigChunks = chunkSessionCookie(NAME, tokens.big);
const originalBytes = new Map([tokens.small, tokens.big].map((token) => [token, partBytes(token)]));

const b64url = (text: string) => encodeBase64url(new TextEncoder().encode(text));
const segment = fc.uint8Array({ maxLength: 48 }).map((bytes) => encodeBase64url(bytes));
/** Strings shaped like a compact JWE (five dot-separated parts), mixing real and random parts. */
const jweLike = fc
  .tuple(
    fc.oneof(fc.constant(NEXT_AUTH_PROTECTED_HEADER), segment, fc.string()),
    fc.oneof(fc.constant(""), segment),
    segment,
    segment,
    segment,
  )
  .map((parts) => parts.join("."));
const anyString = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ maxLength: 200 }), jweLike, fc.base64String({ maxLength: 200 }));

async function decodesToNull(jwe: string): Promise<void> {
  await expect(codec.decode(jwe)).resolves.toBeNull();
}

/** The parts of a compact JWE as bytes; two tokens with equal bytes are the same token, however encoded. */
function partBytes(jwe: string): Uint8Array[] | null {
  const parts = jwe.split(".");
  if (parts.length !== 5) return null;
  const bytes = parts.map((part) => decodeBase64url(part));
  return bytes.every((b) => b !== null) ? (bytes as Uint8Array[]) : null;
}

function sameBytes(a: Uint8Array[] | null, b: Uint8Array[] | null): boolean {
  if (a === null || b === null || a.length !== b.length) return false;
  return a.every((part, i) => part.length === b[i]!.length && part.every((byte, j) => byte === b[i]![j]));
}

describe("session cookie reader properties", () => {
  it(`any string is no session, never an exception (${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(anyString, decodesToNull), { numRuns: RUNS });
  });

  it(`a token under another secret, or with a JWE header of any other alg/enc (none included), is no session (${RUNS} runs)`, async () => {
    const [, , iv, ciphertext, tag] = tokens.small.split(".");
    const header = fc.record(
      {
        alg: fc.constantFrom("none", "dir", "A256KW", "RSA-OAEP", "ECDH-ES", "HS256", "PBES2-HS256+A128KW", ""),
        enc: fc.constantFrom("A256GCM", "A128GCM", "A128CBC-HS256", "A256CBC-HS512", "none", ""),
        zip: fc.constantFrom("DEF", undefined),
        crit: fc.constantFrom(["exp"], undefined),
        kid: fc.string({ maxLength: 8 }),
      },
      { requiredKeys: ["alg"] },
    );
    await fc.assert(
      fc.asyncProperty(header, fc.boolean(), async (fields, emptyKey) => {
        const text = JSON.stringify(fields);
        // The exact next-auth header is the one that may decrypt; everything else must fail.
        fc.pre(text !== JSON.stringify({ alg: "dir", enc: "A256GCM" }));
        await decodesToNull([b64url(text), emptyKey ? "" : "AAAA", iv, ciphertext, tag].join("."));
        await decodesToNull(tokens.foreign);
      }),
      { numRuns: RUNS },
    );
  });

  it(`a tampered token (any character of any part changed) is no session, unless it still encodes the same bytes (${RUNS} runs)`, async () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...alphabet), fc.constantFrom(tokens.small, tokens.big), async (at, replacement, original) => {
        const index = at % original.length;
        fc.pre(original[index] !== replacement);
        const tampered = `${original.slice(0, index)}${replacement}${original.slice(index + 1)}`;
        const decoded = await codec.decode(tampered);
        if (sameBytes(partBytes(tampered), originalBytes.get(original)!)) {
          // Only the unused low bits of a final base64url character changed: the same header, ciphertext
          // and tag, so at most the same session, never another one.
          expect(decoded === null || decoded.sub === claims.sub).toBe(true);
        } else {
          expect(decoded).toBeNull();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`correctly encrypted plaintext that is not a UTF-8 JSON object with valid exp/nbf is no session (${RUNS} runs)`, async () => {
    const key = await sessionEncryptionKey(SECRET);
    const header = new TextEncoder().encode(NEXT_AUTH_PROTECTED_HEADER);
    const now = Math.floor(Date.now() / 1000);
    const plaintext = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.jsonValue({ maxDepth: 2 }).map((value) => new TextEncoder().encode(JSON.stringify(value))),
      fc
        .record({ sub: fc.string(), exp: fc.oneof(fc.string(), fc.double(), fc.constant(now - 3600), fc.constant(now + 3600)), nbf: fc.oneof(fc.constant(undefined), fc.double(), fc.constant(now + 3600)) })
        .map((value) => new TextEncoder().encode(JSON.stringify(value))),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((junk) => new Uint8Array([0x7b, 0xff, ...junk, 0x7d])),
    );
    await fc.assert(
      fc.asyncProperty(plaintext, async (bytes) => {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: header, tagLength: 128 }, key, bytes as BufferSource));
        const jwe = [NEXT_AUTH_PROTECTED_HEADER, "", encodeBase64url(iv), encodeBase64url(sealed.slice(0, -16)), encodeBase64url(sealed.slice(-16))].join(".");
        const decoded = await codec.decode(jwe);
        const expected = oracle(bytes, Math.floor(Date.now() / 1000));
        if (expected === null) expect(decoded).toBeNull();
        else expect(decoded).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });
});

describe("chunk assembly properties", () => {
  const jarEdit = fc.oneof(
    fc.record({ kind: fc.constant("drop" as const), index: fc.nat() }),
    fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
    fc.record({ kind: fc.constant("extra" as const), index: fc.integer({ min: 0, max: 40 }), value: fc.string({ maxLength: 20 }) }),
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
        const jar = new Map(Array.from({ length: count }, (_, i) => [`${NAME}.${i}`, value || "x"] as [string, string]));
        expect(joinSessionCookie(jar, NAME)).toBeNull();
      }),
      { numRuns: RUNS },
    );
  });
});

/** What the codec should return for these plaintext bytes: the object when it is valid, else null. */
function oracle(bytes: Uint8Array, now: number): Record<string, unknown> | null {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const { exp, nbf } = value as Record<string, unknown>;
  if (exp !== undefined && (typeof exp !== "number" || !Number.isFinite(exp) || exp <= now - 15)) return null;
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf) || nbf > now + 15)) return null;
  return value as Record<string, unknown>;
}
