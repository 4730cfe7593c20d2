/**
 * Access tokens: real HS256 JWTs, so clients that read the expiry from the token's own `exp` claim (the drf
 * shape sends no other) are exercised for real. The secret is random per server start: tokens from a
 * previous run are refused, as after a real backend's key rotation.
 */

import { randomBytes, randomUUID } from "node:crypto";
import { SignJWT, errors, jwtVerify } from "jose";
import type { IssuedTokens } from "./tokens";

const ACCESS_TOKEN_ALG = "HS256";
const ACCESS_TOKEN_SECRET_BYTES = 32;

export interface AccessTokenClaims {
  userId: string;
  familyId: string;
}

export type AccessTokenCheck =
  | { kind: "valid"; claims: AccessTokenClaims }
  | { kind: "expired" }
  | { kind: "invalid" };

export interface AccessTokenSigner {
  sign(issued: IssuedTokens): Promise<string>;
  verify(accessToken: string): Promise<AccessTokenCheck>;
}

export function createAccessTokenSigner(): AccessTokenSigner {
  const secret = new Uint8Array(randomBytes(ACCESS_TOKEN_SECRET_BYTES));

  return {
    sign(issued) {
      // `jti` keeps two tokens minted in the same second distinguishable, which race tests rely on.
      return new SignJWT({ fam: issued.family.id })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: "JWT" })
        .setSubject(issued.family.userId)
        .setIssuedAt(issued.accessIat)
        .setExpirationTime(issued.accessExp)
        .setJti(randomUUID())
        .sign(secret);
    },

    async verify(accessToken) {
      try {
        const { payload } = await jwtVerify(accessToken, secret, { algorithms: [ACCESS_TOKEN_ALG] });
        if (typeof payload.sub !== "string" || typeof payload.fam !== "string") return { kind: "invalid" };
        return { kind: "valid", claims: { userId: payload.sub, familyId: payload.fam } };
      } catch (error) {
        return error instanceof errors.JWTExpired ? { kind: "expired" } : { kind: "invalid" };
      }
    },
  };
}
