/**
 * The session cookie codec: exactly next-auth v4's JWE (`dir` + `A256GCM`, HKDF-derived key, iat/exp/jti,
 * 15 s clock tolerance). One codec serves next-auth's routes (through authOptions.jwt) and the edge
 * middleware. Decoding tries the current secret, then the previous ones, so a secret can be rotated
 * without signing everyone out; every failure to read is `null`, never an exception.
 */
import { EncryptJWT, errors, jwtDecrypt, type JWTPayload } from "jose";
import { sessionEncryptionKey } from "./keys";

export const JWE_ALG = "dir";
export const JWE_ENC = "A256GCM";
/** next-auth v4 decodes with 15 s of clock tolerance; so do we, or the two would disagree at the edges. */
export const CLOCK_TOLERANCE_SECONDS = 15;

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
  /** Seconds since the epoch; injectable for tests of expiry. */
  readonly nowSeconds?: () => number;
}

export function createSessionCodec(options: SessionCodecOptions): SessionCodec {
  const [current] = options.secrets;
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));

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
      for (const secret of options.secrets) {
        try {
          const { payload } = await jwtDecrypt(jwe, await sessionEncryptionKey(secret), {
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
