/**
 * What our session JWT carries. next-auth's own claims (sub, name, email, iat, exp, jti) sit beside the
 * backend's tokens. The refresh token lives only here, inside the encrypted cookie; the session callback
 * and pages never pass it on.
 */
import type { BackendTokens } from "../backend/tokens";

/** The session's claims as the cookie carries them: the backend's tokens with their expiry, and the user's identity. */
export interface SessionClaims extends BackendTokens {
  readonly sub?: string;
  readonly name?: string | null;
  readonly email?: string | null;
  readonly iat?: number;
  readonly exp?: number;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

/** Narrows a decrypted payload to a session we can act on; anything else counts as no session. */
export function asSessionClaims(payload: Record<string, unknown> | null): SessionClaims | null {
  if (payload === null) return null;
  const { accessToken, refreshToken, accessTokenExpires } = payload;
  if (typeof accessToken !== "string" || accessToken.length === 0) return null;
  if (typeof refreshToken !== "string" || refreshToken.length === 0) return null;
  if (typeof accessTokenExpires !== "number" || !Number.isFinite(accessTokenExpires)) return null;
  return payload as SessionClaims;
}

/**
 * The claims with new backend tokens, identity kept; next-auth's iat/exp/jti are re-minted on encode and
 * a transient `error` flag from an earlier outage is dropped.
 */
export function withTokens(claims: SessionClaims, tokens: BackendTokens): SessionClaims {
  const { iat: _iat, exp: _exp, jti: _jti, error: _error, ...rest } = claims;
  return {
    ...rest,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessTokenExpires: tokens.accessTokenExpires,
    accessTokenReceivedAt: tokens.accessTokenReceivedAt,
  };
}

/**
 * Whether the access token should be refreshed now: within `skewMs` of expiry. The skew is capped at half
 * the token's lifetime, so a backend whose tokens live shorter than the skew is not refreshed on every
 * request.
 */
export function refreshDue(tokens: BackendTokens, nowMs: number, skewMs: number): boolean {
  return tokens.accessTokenExpires - nowMs <= refreshDueThresholdMs(tokens, skewMs);
}

/** What the refresh thresholds depend on: when the access token expires, and when it was received. */
export type TokenExpiry = Pick<BackendTokens, "accessTokenExpires" | "accessTokenReceivedAt">;

/** The access token's lifetime in ms (never negative); Infinity when the time it was received is unknown. */
export function accessTokenLifetimeMs(tokens: TokenExpiry): number {
  return tokens.accessTokenReceivedAt === undefined
    ? Infinity
    : Math.max(0, tokens.accessTokenExpires - tokens.accessTokenReceivedAt);
}

/** Milliseconds before expiry from which every request refreshes these tokens: the skew, capped at half their lifetime. */
export function refreshDueThresholdMs(tokens: TokenExpiry, skewMs: number): number {
  return Math.min(skewMs, accessTokenLifetimeMs(tokens) / 2);
}
