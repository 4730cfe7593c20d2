/**
 * The session cookie codec: exactly next-auth v4's JWE (`dir` + `A256GCM`, HKDF-derived key, iat/exp/jti,
 * 15 s clock tolerance). One codec serves next-auth's routes (through authOptions.jwt) and the edge
 * middleware. Decoding tries the current secret, then the previous ones, so a secret can be rotated
 * without signing everyone out; every failure to read is `null`, never an exception.
 */
import { EncryptJWT, errors, jwtDecrypt, type JWTPayload } from "jose";
import { epochSeconds, systemClock, type Clock } from "../clock";
import { BoundedMap } from "../support/bounded-map";
import { decryptNextAuthJwe } from "./jwe";
import { sessionEncryptionKey } from "./keys";

export const JWE_ALG = "dir";
export const JWE_ENC = "A256GCM";
/** next-auth v4 decodes with 15 s of clock tolerance; so do we, or the two would disagree at the edges. */
export const CLOCK_TOLERANCE_SECONDS = 15;
/**
 * Recently decrypted cookies kept per isolate: a browser sends the same cookie on every request until it
 * is re-issued, so most middleware decodes are repeats. Keyed by the whole JWE string (only a byte-exact
 * cookie that already decrypted under our key hits), expiry re-checked on every hit, bounded in count and
 * in the size of what it keeps.
 */
export const DECODE_CACHE_ENTRIES = 512;
const DECODE_CACHE_MAX_JWE_LENGTH = 8 * 1024;

/** Encodes and decodes the session cookie's value exactly as next-auth v4 does. */
export interface SessionCodec {
  /** Encrypts claims under the current secret; sets iat, exp = now + maxAge and a fresh jti, as next-auth. */
  encode(claims: Record<string, unknown>, maxAgeSeconds?: number): Promise<string>;
  /** The claims, or null for anything unreadable: wrong secret, tampered, truncated, expired, not a JWE. */
  decode(jwe: string | null | undefined): Promise<JWTPayload | null>;
}

export interface SessionCodecOptions {
  /** Current secret first; the rest are accepted for reading only. */
  readonly secrets: readonly [string, ...string[]];
  readonly maxAgeSeconds: number;
  /** The clock for iat/exp; injectable for tests of expiry. */
  readonly clock?: Clock;
  /** Entries of the decode cache; 0 turns it off (benchmarks of the cold path). */
  readonly decodeCacheEntries?: number;
}

/** next-auth v4's session cookie codec (JWE, A256CBC-HS512 with its HKDF key), with secret rotation: the current secret writes, every listed one reads. */
export function createSessionCodec(options: SessionCodecOptions): SessionCodec {
  const [current] = options.secrets;
  const clock = options.clock ?? systemClock;
  const nowSeconds = () => epochSeconds(clock);
  const recent = new BoundedMap<string, JWTPayload>(options.decodeCacheEntries ?? DECODE_CACHE_ENTRIES);

  function remember(jwe: string, payload: JWTPayload): void {
    if (jwe.length > DECODE_CACHE_MAX_JWE_LENGTH) return;
    recent.set(jwe, Object.freeze(payload));
  }

  return {
    async encode(claims, maxAgeSeconds = options.maxAgeSeconds) {
      const now = nowSeconds();
      const { iat: _iat, exp: _exp, jti: _jti, ...rest } = claims;
      return new EncryptJWT(rest)
        .setProtectedHeader({ alg: JWE_ALG, enc: JWE_ENC })
        .setIssuedAt(now)
        .setExpirationTime(now + maxAgeSeconds)
        .setJti(crypto.randomUUID())
        .encrypt(await sessionEncryptionKey(current));
    },

    async decode(jwe) {
      if (!jwe) return null;
      const known = recent.get(jwe);
      if (known !== undefined) return validClaims(known, nowSeconds()) ? { ...known } : null;
      for (const secret of options.secrets) {
        const key = await sessionEncryptionKey(secret);
        // Fast path for next-auth's exact form; `undefined` means "not that form", so jose decides.
        const fast = await decryptNextAuthJwe(jwe, key);
        if (fast === null) continue;
        if (fast !== undefined) {
          if (!validClaims(fast, nowSeconds())) return null;
          remember(jwe, { ...fast });
          return fast as JWTPayload;
        }
        try {
          const { payload } = await jwtDecrypt(jwe, key, {
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
            currentDate: new Date(nowSeconds() * 1000),
            keyManagementAlgorithms: [JWE_ALG],
            contentEncryptionAlgorithms: [JWE_ENC],
          });
          return payload;
        } catch (error) {
          // A claim failure (expired) is final for every secret; a decryption failure may be an older key.
          if (error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired) return null;
          if (!(error instanceof errors.JOSEError)) throw error;
        }
      }
      return null;
    },
  };
}

/**
 * The claim checks jwtDecrypt applies to a next-auth session (it sets no nbf, and iat is informative):
 * exp and nbf, when present, must be numbers and hold within the clock tolerance.
 */
function validClaims(payload: Record<string, unknown>, now: number): boolean {
  const { exp, nbf } = payload;
  if (exp !== undefined && (typeof exp !== "number" || !Number.isFinite(exp) || exp <= now - CLOCK_TOLERANCE_SECONDS))
    return false;
  if (nbf !== undefined && (typeof nbf !== "number" || !Number.isFinite(nbf) || nbf > now + CLOCK_TOLERANCE_SECONDS))
    return false;
  return true;
}
