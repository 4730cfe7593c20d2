import { describe, expect, it } from "vitest";
import { decode as nextAuthDecode, encode as nextAuthEncode, getToken } from "next-auth/jwt";
import { createSessionCodec } from "./codec";
import { chunkSessionCookie, CHUNK_SIZE, joinSessionCookie, sessionCookieName } from "./chunks";
import { NEXT_AUTH_PROTECTED_HEADER } from "./jwe";
import { sessionEncryptionKey } from "./keys";
import { BIG_SESSION_CLAIMS, SESSION_CLAIMS } from "./test-support/claims";

const SECRET = "codec-test-secret-0123456789abcdef";
const OTHER = "another-secret-entirely-0123456789";
const claims = SESSION_CLAIMS;
const bigClaims = BIG_SESSION_CLAIMS;

const codec = createSessionCodec({ secrets: [SECRET], maxAgeSeconds: 3600 });

describe("session codec interop with next-auth v4", () => {
  it("reads a cookie written by next-auth's own encode", async () => {
    const jwe = await nextAuthEncode({ token: claims, secret: SECRET });
    expect(await codec.decode(jwe)).toMatchObject(claims);
  });

  it("writes a cookie that next-auth's own decode reads, with iat, exp and jti like next-auth", async () => {
    const jwe = await codec.encode(claims);
    const decoded = await nextAuthDecode({ token: jwe, secret: SECRET });
    expect(decoded).toMatchObject(claims);
    expect(decoded?.exp).toBe((decoded?.iat as number) + 3600);
    expect(typeof decoded?.jti).toBe("string");
  });

  it("chunked both ways: next-auth's getToken reads our chunks, we read next-auth-sized chunks", async () => {
    const jwe = await codec.encode(bigClaims);
    const name = sessionCookieName(false);
    const chunks = chunkSessionCookie(name, jwe);
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks.map((chunk) => chunk.value.length))).toBeLessThanOrEqual(CHUNK_SIZE);
    const cookieHeader = chunks.map((c) => `${c.name}=${c.value}`).join("; ");
    const viaGetToken = await getToken({
      req: {
        headers: { cookie: cookieHeader },
        cookies: Object.fromEntries(chunks.map((c) => [c.name, c.value])),
      } as never,
      secret: SECRET,
      secureCookie: false,
    });
    expect(viaGetToken).toMatchObject({ accessToken: bigClaims.accessToken });

    const theirs = await nextAuthEncode({ token: bigClaims, secret: SECRET });
    const jar = new Map(
      chunkSessionCookie(name, theirs)
        .reverse()
        .map((c) => [c.name, c.value] as const),
    );
    expect(await codec.decode(joinSessionCookie(jar, name))).toMatchObject({ accessToken: bigClaims.accessToken });
  });

  it("uses the __Secure- name on https", () => {
    expect(sessionCookieName(true)).toBe("__Secure-next-auth.session-token");
    expect(sessionCookieName(false)).toBe("next-auth.session-token");
  });
});

describe("session codec refuses what it should, without throwing", () => {
  const name = sessionCookieName(false);
  const cases: Array<[string, () => Promise<string | null>]> = [
    ["another secret", () => nextAuthEncode({ token: claims, secret: OTHER })],
    [
      "a truncated chunk set",
      async () => {
        const jar = new Map(
          chunkSessionCookie(name, await codec.encode(bigClaims))
            .slice(0, -1)
            .map((c) => [c.name, c.value] as const),
        );
        return joinSessionCookie(jar, name);
      },
    ],
    ["random bytes", async () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(300))))],
    ["five random base64url parts", async () => "eyJhbGciOiJkaXIifQ.AAAA.BBBB.CCCC.DDDD"],
    [
      "a flipped ciphertext character",
      async () => {
        const parts = (await codec.encode(claims)).split(".");
        parts[3] = (parts[3]!.startsWith("A") ? "B" : "A") + parts[3]!.slice(1);
        return parts.join(".");
      },
    ],
    [
      "an expired session",
      () =>
        createSessionCodec({
          secrets: [SECRET],
          maxAgeSeconds: 60,
          clock: { now: () => Date.now() - 3_600_000, sleep: async () => {} },
        }).encode(claims),
    ],
    ["a signed JWT instead of a JWE", async () => "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"],
    ["an empty string", async () => ""],
  ];
  it.each(cases)("%s decodes to null", async (_label, make) => {
    await expect(codec.decode(await make())).resolves.toBeNull();
  });
});

describe("the fast path and the general path agree", () => {
  it("next-auth's exact header takes the fast path; any other valid header is still read by jose", async () => {
    const { EncryptJWT } = await import("jose");
    const key = await sessionEncryptionKey(SECRET);
    const withKid = await new EncryptJWT(claims)
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", kid: "k1" })
      .setExpirationTime("1h")
      .encrypt(key);
    expect(withKid.split(".")[0]).not.toBe(NEXT_AUTH_PROTECTED_HEADER);
    expect(await codec.decode(withKid)).toMatchObject(claims);
    expect((await nextAuthEncode({ token: claims, secret: SECRET })).split(".")[0]).toBe(NEXT_AUTH_PROTECTED_HEADER);
  });

  it("exp within the 15 s tolerance is accepted and beyond it refused, like jose", async () => {
    const now = Math.floor(Date.now() / 1000);
    const make = (offset: number) =>
      createSessionCodec({
        secrets: [SECRET],
        maxAgeSeconds: 60,
        clock: { now: () => (now + offset) * 1000, sleep: async () => {} },
      }).encode(claims);
    // Minted 70 s ago with a 60 s lifetime: expired 10 s ago, inside the tolerance.
    expect(await codec.decode(await make(-70))).toMatchObject(claims);
    // Minted 80 s ago: expired 20 s ago, outside it.
    expect(await codec.decode(await make(-80))).toBeNull();
  });
});

describe("decode cache", () => {
  it("a repeated cookie is answered from the cache, with expiry re-checked on every hit", async () => {
    let now = Math.floor(Date.now() / 1000);
    const clocked = createSessionCodec({
      secrets: [SECRET],
      maxAgeSeconds: 60,
      clock: { now: () => now * 1000, sleep: async () => {} },
    });
    const jwe = await clocked.encode(claims);
    const first = await clocked.decode(jwe);
    expect(first).toMatchObject(claims);
    (first as Record<string, unknown>).refreshToken = "mutated by a caller";
    expect(await clocked.decode(jwe)).toMatchObject(claims);
    now += 60 + 16;
    expect(await clocked.decode(jwe)).toBeNull();
  });
});

describe("secret rotation", () => {
  it("reads cookies made with a previous secret and writes with the current one", async () => {
    const rotated = createSessionCodec({ secrets: [OTHER, SECRET], maxAgeSeconds: 3600 });
    const old = await nextAuthEncode({ token: claims, secret: SECRET });
    expect(await rotated.decode(old)).toMatchObject(claims);
    const fresh = await rotated.encode(claims);
    expect(await nextAuthDecode({ token: fresh, secret: OTHER })).toMatchObject(claims);
    await expect(nextAuthDecode({ token: fresh, secret: SECRET })).rejects.toMatchObject({
      code: "ERR_JWE_DECRYPTION_FAILED",
    });
  });
});

describe("derived key cache", () => {
  it("derives once per secret: the same CryptoKey comes back", async () => {
    const first = await sessionEncryptionKey(SECRET);
    expect(await sessionEncryptionKey(SECRET)).toBe(first);
    expect(await sessionEncryptionKey(OTHER)).not.toBe(first);
  });
});
