/**
 * The refresh-token store: every login starts a family, and a refresh follows one of three rotation policies
 * real backends use. `rotate` consumes the presented refresh token and issues its successor; presenting a
 * consumed token again (reuse) revokes the whole family (DRF SimpleJWT with blacklisting, Auth0 without
 * leeway). `reuse-interval` answers a reuse within N seconds of the consumption with the same successor
 * (Auth0's reuse interval, Supabase's REFRESH_TOKEN_REUSE_INTERVAL) and treats a later one as `rotate` does.
 * `none` never rotates: the refresh token lives until its own expiry and only access tokens are renewed.
 * Records live in memory and are swept once nothing can refer to them.
 */

import { randomBytes, randomUUID } from "node:crypto";

/** How often the opportunistic sweep may walk the maps; a sweep is O(records), so not on every request. */
export const SWEEP_INTERVAL_MS = 1_000;
/** 32 random bytes: opaque, unguessable, and the same length as real backends' tokens. */
const REFRESH_TOKEN_BYTES = 32;

/** `rotate`: consume and revoke on reuse; `none`: never rotate; `reuse-interval`: a grace window for reuse. */
export type RotationPolicy = "rotate" | "none" | "reuse-interval";

/** All refresh tokens descended from one login, and the access tokens minted with them. */
export interface Family {
  readonly id: string;
  readonly userId: string;
  /** The OAuth client that signed in; undefined for the client-less JSON endpoints. Refreshes must match it. */
  readonly clientId: string | undefined;
  /** The scope granted at sign-in (space-separated), if one was asked for. */
  readonly scope: string | undefined;
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
  /** The refresh token this one was rotated into, handed out again for a reuse within the interval. */
  successor: string | null;
}

export interface TokenLifetimes {
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
}

/** What a refresh needs to know besides the token: lifetimes, the policy, and who presents the token. */
export interface RefreshSettings extends TokenLifetimes {
  /** Defaults to `rotate`. */
  rotation?: RotationPolicy;
  /** For `reuse-interval`; 0 makes it behave like `rotate`. */
  reuseIntervalSeconds?: number;
  /** The presenting OAuth client; must be the one the family was issued to (undefined for the JSON endpoints). */
  clientId?: string;
}

/** Who signs in: the client (OAuth only) and the scope granted, both remembered by the family. */
export interface Grant {
  clientId?: string;
  scope?: string;
}

/** A fresh access token's bookkeeping; the caller signs it with these real-time `iat`/`exp`. */
export interface IssuedAccess {
  family: Family;
  /** JWT `exp`, epoch seconds of real time (the caller shifts what it states by the clock skew). */
  accessExp: number;
  /** JWT `iat`, epoch seconds of real time. */
  accessIat: number;
}

/** A fresh pair's bookkeeping; the access token itself is signed by the caller with `accessExp` as `exp`. */
export interface IssuedTokens extends IssuedAccess {
  refreshToken: string;
  refreshExpiresAt: number;
}

export type RotationOutcome =
  | ({ kind: "rotated" } & IssuedTokens)
  /** `reuse-interval`: a reuse inside the window; the same successor refresh token and a fresh access token. */
  | ({ kind: "replayed" } & IssuedTokens)
  /** `none`: the refresh token stays valid; only a new access token. */
  | ({ kind: "renewed" } & IssuedAccess)
  /** The token had been consumed before; the family has just been revoked because of it. */
  | { kind: "reused"; family: Family }
  /** `none`: a token consumed under an earlier policy; refused without revoking anything. */
  | { kind: "consumed" }
  | { kind: "revoked"; family: Family }
  /** Presented by another client than the one it was issued to; refused, nothing consumed or revoked. */
  | { kind: "wrong_client" }
  | { kind: "expired" }
  | { kind: "unknown" };

export type FamilyStatus = { kind: "active"; family: Family } | { kind: "revoked" } | { kind: "unknown" };

/** What a sign-out did: `revoked` the first time, `already` when the family was revoked before. */
export type RevocationOutcome =
  { kind: "revoked"; family: Family } | { kind: "already"; family: Family } | { kind: "unknown" };

export interface TokenStore {
  /** Starts a new family for a successful login. */
  login(userId: string, lifetimes: TokenLifetimes, grant?: Grant): IssuedTokens;
  /**
   * Refreshes with `refreshToken` under the given policy. Synchronous on purpose: check-and-consume is one
   * step, so two concurrent requests with the same token can never both rotate it.
   */
  rotate(refreshToken: string, settings: RefreshSettings): RotationOutcome;
  /** The family a refresh token belongs to, whatever its state, or undefined if the token is unknown. */
  familyOf(refreshToken: string): Family | undefined;
  /** Revokes a whole family (sign-out): its refresh tokens and its access tokens stop working. */
  revokeFamily(familyId: string): RevocationOutcome;
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

  function issueAccess(family: Family, lifetimes: TokenLifetimes, now: number): IssuedAccess {
    // JWT times are whole seconds; rounding `exp` up promises at least the configured lifetime, so a token
    // checked right after it was issued is never already expired.
    const accessIat = Math.floor(now / 1000);
    const accessExp = Math.ceil(now / 1000 + lifetimes.accessTokenTtlSeconds);
    family.retainUntil = Math.max(family.retainUntil, accessExp * 1000);
    return { family, accessExp, accessIat };
  }

  function issue(family: Family, lifetimes: TokenLifetimes, now: number): IssuedTokens {
    const refreshToken = randomBytes(REFRESH_TOKEN_BYTES).toString("base64url");
    const refreshExpiresAt = now + lifetimes.refreshTokenTtlSeconds * 1000;
    refreshTokens.set(refreshToken, { family, expiresAt: refreshExpiresAt, consumedAt: null, successor: null });
    family.newestRefreshToken = refreshToken;
    family.retainUntil = Math.max(family.retainUntil, refreshExpiresAt);
    return { ...issueAccess(family, lifetimes, now), refreshToken, refreshExpiresAt };
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
    login(userId, lifetimes, grant = {}) {
      const family: Family = {
        id: randomUUID(),
        userId,
        clientId: grant.clientId,
        scope: grant.scope,
        revoked: false,
        newestRefreshToken: "",
        retainUntil: 0,
      };
      families.set(family.id, family);
      return issue(family, lifetimes, clock());
    },

    rotate(refreshToken, settings) {
      const now = clock();
      const record = refreshTokens.get(refreshToken);
      if (!record) return { kind: "unknown" };
      if (record.expiresAt <= now) return { kind: "expired" };
      const { family } = record;
      // Checked before anything is consumed: another client's request must not burn the owner's token.
      if (family.clientId !== settings.clientId) return { kind: "wrong_client" };
      if (family.revoked) return { kind: "revoked", family };
      const rotation = settings.rotation ?? "rotate";

      if (rotation === "none") {
        if (record.consumedAt !== null) return { kind: "consumed" };
        return { kind: "renewed", ...issueAccess(family, settings, now) };
      }
      if (record.consumedAt !== null) {
        const successor = record.successor;
        const successorRecord = successor === null ? undefined : refreshTokens.get(successor);
        const withinInterval = now - record.consumedAt < (settings.reuseIntervalSeconds ?? 0) * 1000;
        if (rotation === "reuse-interval" && withinInterval && successor !== null && successorRecord) {
          // A client that lost a race gets what the winner got, so both end up holding the same live token.
          return {
            kind: "replayed",
            ...issueAccess(family, settings, now),
            refreshToken: successor,
            refreshExpiresAt: successorRecord.expiresAt,
          };
        }
        // Reuse: either a thief or a client that lost a race. The backend cannot tell them apart, so the
        // whole family goes, including the successor a legitimate client may be holding.
        family.revoked = true;
        return { kind: "reused", family };
      }
      record.consumedAt = now;
      const issued = issue(family, settings, now);
      record.successor = issued.refreshToken;
      return { kind: "rotated", ...issued };
    },

    familyOf(refreshToken) {
      return refreshTokens.get(refreshToken)?.family;
    },

    revokeFamily(familyId) {
      const family = families.get(familyId);
      if (!family) return { kind: "unknown" };
      if (family.revoked) return { kind: "already", family };
      family.revoked = true;
      return { kind: "revoked", family };
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
