/**
 * Tokens that are well-formed JWEs but not ours: claims written under another secret, and every other
 * JWE header (alg `none`, key-wrapping algs, other encodings, extra fields) over a real token's parts —
 * each is no session, never an exception. 10 000 generated cases per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { encodeBase64url } from "../base64url";
import { createSessionCodec } from "./codec";
import { SESSION_CLAIMS } from "./test-support/claims";

const RUNS = 10_000;
const SECRET = "property-secret-0123456789abcdef";
const codec = createSessionCodec({ secrets: [SECRET], maxAgeSeconds: 3600 });
const claims = SESSION_CLAIMS;
const tokens = {
  small: await codec.encode(claims),
  foreign: await createSessionCodec({ secrets: ["another-secret-0123456789abcdef"], maxAgeSeconds: 3600 }).encode(
    claims,
  ),
};
const b64url = (text: string) => encodeBase64url(new TextEncoder().encode(text));

async function decodesToNull(jwe: string): Promise<void> {
  await expect(codec.decode(jwe)).resolves.toBeNull();
}

describe("foreign token properties", () => {
  it(`any claims written under another secret are no session here, and are read back under their own (${RUNS} runs)`, async () => {
    const wrong = [
      "w1-0123456789abcdef0123",
      "w2-0123456789abcdef0123",
      `${SECRET} `,
      SECRET.slice(1),
      SECRET.toUpperCase(),
    ].map((secret) => createSessionCodec({ secrets: [secret], maxAgeSeconds: 3600 }));
    const randomClaims = fc.dictionary(
      fc.string({ maxLength: 8 }).filter((key) => !["exp", "iat", "jti", "nbf"].includes(key)),
      fc.jsonValue({ maxDepth: 1 }),
      { maxKeys: 6 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: wrong.length - 1 }), randomClaims, async (which, body) => {
        const jwe = await wrong[which]!.encode(body);
        await decodesToNull(jwe);
        await expect(wrong[which]!.decode(jwe)).resolves.not.toBeNull();
      }),
      { numRuns: RUNS },
    );
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
});
