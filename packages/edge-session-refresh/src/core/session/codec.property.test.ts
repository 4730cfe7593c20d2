/**
 * The cookie reader never throws and never accepts what it should not: any string, oversized input, a
 * tampered protected header or ciphertext, and well-encrypted plaintexts that are not UTF-8 JSON objects
 * with valid exp/nbf — each ends as null (no session). Foreign tokens and other JWE headers:
 * codec-foreign.property.test.ts; chunk sets: chunks.property.test.ts. 10 000 generated cases per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeBase64url, encodeBase64url } from "../base64url";
import { createSessionCodec } from "./codec";
import { CHUNK_SIZE } from "./chunks";
import { NEXT_AUTH_PROTECTED_HEADER } from "./jwe";
import { sessionEncryptionKey } from "./keys";
import { SESSION_CLAIMS } from "./test-support/claims";

const RUNS = 10_000;
const SECRET = "property-secret-0123456789abcdef";
const codec = createSessionCodec({ secrets: [SECRET], maxAgeSeconds: 3600 });
const claims = SESSION_CLAIMS;

const tokens = {
  small: await codec.encode(claims),
  big: await codec.encode({ ...claims, accessToken: "x".repeat(CHUNK_SIZE * 3) }),
};
const originalBytes = new Map([tokens.small, tokens.big].map((token) => [token, partBytes(token)]));

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
const anyString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.string({ maxLength: 200 }),
  jweLike,
  fc.base64String({ maxLength: 200 }),
);

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

  it(`oversized input (4 KB to 64 KB: repeated junk, or a real token with a part blown up) is no session (${RUNS} runs)`, async () => {
    const oversized = fc.oneof(
      fc
        .tuple(fc.string({ minLength: 1, maxLength: 16 }), fc.integer({ min: 256, max: 4096 }))
        .map(([unit, times]) => unit.repeat(times)),
      fc
        .tuple(
          fc.integer({ min: 0, max: 4 }),
          fc.constantFrom("A", "_", "-", "AAAA"),
          fc.integer({ min: 1024, max: 16_384 }),
        )
        .map(([part, filler, times]) => {
          const parts = tokens.small.split(".");
          parts[part] = `${parts[part]}${filler.repeat(times)}`;
          return parts.join(".");
        }),
    );
    await fc.assert(fc.asyncProperty(oversized, decodesToNull), { numRuns: RUNS });
  });

  it(`a tampered token (any character of any part changed) is no session, unless it still encodes the same bytes (${RUNS} runs)`, async () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ ";
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom(...alphabet),
        fc.constantFrom(tokens.small, tokens.big),
        async (at, replacement, original) => {
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
        },
      ),
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
        .record({
          sub: fc.string(),
          exp: fc.oneof(fc.string(), fc.double(), fc.constant(now - 3600), fc.constant(now + 3600)),
          nbf: fc.oneof(fc.constant(undefined), fc.double(), fc.constant(now + 3600)),
        })
        .map((value) => new TextEncoder().encode(JSON.stringify(value))),
      fc.uint8Array({ minLength: 1, maxLength: 8 }).map((junk) => new Uint8Array([0x7b, 0xff, ...junk, 0x7d])),
    );
    await fc.assert(
      fc.asyncProperty(plaintext, async (bytes) => {
        const iv = crypto.getRandomValues(new Uint8Array(12));
        const sealed = new Uint8Array(
          await crypto.subtle.encrypt(
            { name: "AES-GCM", iv, additionalData: header, tagLength: 128 },
            key,
            bytes as BufferSource,
          ),
        );
        const jwe = [
          NEXT_AUTH_PROTECTED_HEADER,
          "",
          encodeBase64url(iv),
          encodeBase64url(sealed.slice(0, -16)),
          encodeBase64url(sealed.slice(-16)),
        ].join(".");
        const decoded = await codec.decode(jwe);
        const expected = oracle(bytes, Math.floor(Date.now() / 1000));
        if (expected === null) expect(decoded).toBeNull();
        else expect(decoded).toEqual(expected);
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
