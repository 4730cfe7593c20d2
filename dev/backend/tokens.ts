/**
 * The refresh-token store: every login starts a family, every refresh consumes the presented refresh token
 * and issues its successor, and presenting a consumed token again (reuse) revokes the whole family. This is
 * the behaviour of backends without a grace window (DRF SimpleJWT with blacklisting, Auth0 without leeway),
 * which is what the app must survive. Records live in memory and are swept once nothing can refer to them.
 */

import { randomBytes, randomUUID } from "node:crypto";

/** How often the opportunistic sweep may walk the maps; a sweep is O(records), so not on every request. */
export const SWEEP_INTERVAL_MS = 1_000;
/** 32 random bytes: opaque, unguessable, and the same length as real backends' tokens. */
const REFRESH_TOKEN_BYTES = 32;

/** All refresh tokens descended from one login, and the access tokens minted with them. */
export interface Family {
  readonly id: string;
  readonly userId: string;
  revoked: boolean;
  /** The only refresh token of the family that may still be rotated. */
  newestRefreshToken: string;
  /** Its last refresh and access tokens expire by then; until that moment a revoked family must be remembered. */
  retainUntil: number;
}

interface RefreshRecord {
  readonly family: Family;
  readonly expiresAt: number;
  /** Set when rotated; kept until `expiresAt` so a later reuse is detected, not taken for an unknown token. */
  consumedAt: number | null;
}

export interface TokenLifetimes {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** A fresh pair's bookkeeping; the access token itself is signed by the caller with `accessExp` as `exp`. */
export interface IssuedTokens {
  family: Family;
  refreshToken: string;
  refreshExpiresAt: number;
  /** JWT `exp`, epoch seconds. */
  accessExp: number;
  /** JWT `iat`, epoch seconds. */
  accessIat: number;
}

export type RotationOutcome =
  | ({ kind: "rotated" } & IssuedTokens)
  /** The token had been consumed before; the family has just been revoked because of it. */
  | { kind: "reused"; family: Family }
  | { kind: "revoked"; family: Family }
  | { kind: "expired" }
  | { kind: "unknown" };

export type FamilyStatus = { kind: "active"; family: Family } | { kind: "revoked" } | { kind: "unknown" };

export interface TokenStore {
  /** Starts a new family for a successful login. */
  login(userId: string, lifetimes: TokenLifetimes): IssuedTokens;
  /**
   * Consumes `refreshToken` and issues its successor. Synchronous on purpose: check-and-consume is one step,
   * so two concurrent requests with the same token can never both rotate it.
   */
  rotate(refreshToken: string, lifetimes: TokenLifetimes): RotationOutcome;
  /** Whether access tokens of this family are still honoured. */
  familyStatus(familyId: string): FamilyStatus;
  /** Drops records that nothing can refer to any more; returns how many were dropped. */
  sweep(): number;
  /** Sweeps if the last sweep is older than SWEEP_INTERVAL_MS; cheap enough to call on every request. */
  sweepIfDue(): void;
  sizes(): { refreshTokens: number; families: number };
}

export function createTokenStore(clock: () => number = Date.now): TokenStore {
  const refreshTokens = new Map<string, RefreshRecord>();
  const families = new Map<string, Family>();
  let lastSweepAt = clock();

  function issue(family: Family, lifetimes: TokenLifetimes, now: number): IssuedTokens {
    const refreshToken = randomBytes(REFRESH_TOKEN_BYTES).toString("base64url");
    const refreshExpiresAt = now + lifetimes.refreshTokenTtlSeconds * 1000;
    refreshTokens.set(refreshToken, { family, expiresAt: refreshExpiresAt, consumedAt: null });
    // JWT times are whole seconds; rounding `exp` up promises at least the configured lifetime, so a token
    // checked right after it was issued is never already expired.
    const accessIat = Math.floor(now / 1000);
    const accessExp = Math.ceil(now / 1000 + lifetimes.accessTokenTtlSeconds);
    family.newestRefreshToken = refreshToken;
    family.retainUntil = Math.max(family.retainUntil, refreshExpiresAt, accessExp * 1000);
    return { family, refreshToken, refreshExpiresAt, accessExp, accessIat };
  }

  function sweep(): number {
    const now = clock();
    lastSweepAt = now;
    let dropped = 0;
    for (const [token, record] of refreshTokens) {
      if (record.expiresAt <= now) {
        refreshTokens.delete(token);
        dropped += 1;
      }
    }
    for (const [id, family] of families) {
      if (family.retainUntil <= now) {
        families.delete(id);
        dropped += 1;
      }
    }
    return dropped;
  }

  return {
    login(userId, lifetimes) {
      const family: Family = { id: randomUUID(), userId, revoked: false, newestRefreshToken: "", retainUntil: 0 };
      families.set(family.id, family);
      return issue(family, lifetimes, clock());
    },

    rotate(refreshToken, lifetimes) {
      const now = clock();
      const record = refreshTokens.get(refreshToken);
      if (!record) return { kind: "unknown" };
      if (record.expiresAt <= now) return { kind: "expired" };
      const { family } = record;
      if (family.revoked) return { kind: "revoked", family };
      if (record.consumedAt !== null) {
        // Reuse: either a thief or a client that lost a race. The backend cannot tell them apart, so the
        // whole family goes, including the successor a legitimate client may be holding.
        family.revoked = true;
        return { kind: "reused", family };
      }
      record.consumedAt = now;
      return { kind: "rotated", ...issue(family, lifetimes, now) };
    },

    familyStatus(familyId) {
      const family = families.get(familyId);
      if (!family) return { kind: "unknown" };
      return family.revoked ? { kind: "revoked" } : { kind: "active", family };
    },

    sweep,

    sweepIfDue() {
      if (clock() - lastSweepAt >= SWEEP_INTERVAL_MS) sweep();
    },

    sizes() {
      return { refreshTokens: refreshTokens.size, families: families.size };
    },
  };
}
