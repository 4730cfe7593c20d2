/**
 * Access tokens: real HS256 JWTs, so clients that read the expiry from the token's own `exp` claim (the drf
 * shape sends no other) are exercised for real. The secret is random per server start: tokens from a
 * previous run are refused, as after a real backend's key rotation. A backend with a skewed clock states
 * shifted `iat`/`exp`; the skew it signed with travels in the token (`skw`), so validity is still checked
 * against the real lifetime even if the skew is changed later.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT, decodeJwt, errors, jwtVerify } from "jose";
import type { IssuedAccess } from "./tokens";

const ACCESS_TOKEN_ALG = "HS256";
const ACCESS_TOKEN_SECRET_BYTES = 32;

export interface AccessTokenClaims {
  userId: string;
  familyId: string;
}

export type AccessTokenCheck =
  | { kind: "valid"; claims: AccessTokenClaims }
  /** Genuine but past its real lifetime; the claims still say which family it belonged to (for revocation). */
  | { kind: "expired"; claims: AccessTokenClaims }
  | { kind: "invalid" };

export interface AccessTokenSigner {
  /** Signs with `iat`/`exp` shifted by `clockSkewSeconds` (whole seconds), as a backend with a skewed clock would. */
  sign(issued: IssuedAccess, clockSkewSeconds: number): Promise<string>;
  verify(accessToken: string): Promise<AccessTokenCheck>;
}

/** `clock` is the backend's real clock, epoch ms; verification judges expiry by it. */
export function createAccessTokenSigner(clock: () => number = Date.now): AccessTokenSigner {
  const secret = new Uint8Array(randomBytes(ACCESS_TOKEN_SECRET_BYTES));

  return {
    sign(issued, clockSkewSeconds) {
      // `jti` keeps two tokens minted in the same second distinguishable, which race tests rely on.
      return new SignJWT({ fam: issued.family.id, ...(clockSkewSeconds === 0 ? {} : { skw: clockSkewSeconds }) })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: "JWT" })
        .setSubject(issued.family.userId)
        .setIssuedAt(issued.accessIat + clockSkewSeconds)
        .setExpirationTime(issued.accessExp + clockSkewSeconds)
        .setJti(randomUUID())
        .sign(secret);
    },

    async verify(accessToken) {
      let skew = 0;
      try {
        // Unverified here, but jwtVerify below checks the signature, so a forged `skw` is refused there.
        const claimed = decodeJwt(accessToken).skw;
        if (typeof claimed === "number") skew = claimed;
      } catch {
        return { kind: "invalid" };
      }
      try {
        // The stated `exp` is real expiry + skew, so compare it with real now + skew.
        const { payload } = await jwtVerify(accessToken, secret, {
          algorithms: [ACCESS_TOKEN_ALG],
          currentDate: new Date(clock() + skew * 1000),
        });
        const claims = claimsOf(payload);
        return claims ? { kind: "valid", claims } : { kind: "invalid" };
      } catch (error) {
        // JWTExpired is raised after the signature was verified, so its payload is genuine.
        const claims = error instanceof errors.JWTExpired ? claimsOf(error.payload) : undefined;
        return claims ? { kind: "expired", claims } : { kind: "invalid" };
      }
    },
  };
}

function claimsOf(payload: { sub?: unknown; fam?: unknown }): AccessTokenClaims | undefined {
  if (typeof payload.sub !== "string" || typeof payload.fam !== "string") return undefined;
  return { userId: payload.sub, familyId: payload.fam };
}
