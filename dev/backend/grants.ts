/**
 * What the JSON endpoints and the OAuth token endpoint have in common once a request is parsed: checking a
 * password, refreshing under the configured rotation policy, signing the access token with the backend's
 * (possibly skewed) clock, and revoking a family at sign-out. No HTTP here; every outcome is counted in the
 * stats exactly once, whichever endpoint it came through.
 */

import type { AccessTokenSigner } from "./access-tokens";
import type { BackendOptions } from "./options";
import type { RefreshRefusal, TokenPair } from "./shapes";
import type { StatsRecorder } from "./stats";
import type { Family, Grant, IssuedAccess, TokenStore } from "./tokens";

export interface Account {
  id: string;
  email: string;
  password: string;
  name: string;
}

export interface GrantDeps {
  options: () => Readonly<BackendOptions>;
  accounts: readonly Account[];
  tokens: TokenStore;
  signer: AccessTokenSigner;
  stats: StatsRecorder;
  /** Told every token handed out, so tests can grep logs for them. */
  onIssued?: (token: string) => void;
}

export type RefreshResult =
  { kind: "tokens"; pair: TokenPair; family: Family } | { kind: "refused"; reason: RefreshRefusal };

export interface Grants {
  /** A password sign-in; undefined (counted as a login failure) when the identifier or password is wrong. */
  signIn(identifier: string, password: string, grant?: Grant): Promise<TokenPair | undefined>;
  /** A refresh under the current rotation policy, by the client the token must have been issued to. */
  refresh(refreshToken: string, clientId?: string): Promise<RefreshResult>;
  /** Sign-out: revokes the family; true if it was active until now. */
  revoke(family: Family): boolean;
  findAccount(accountId: string): Account | undefined;
}

export function createGrants(deps: GrantDeps): Grants {
  const { accounts, tokens, signer, stats } = deps;

  async function tokenPair(issued: IssuedAccess & { refreshToken?: string }): Promise<TokenPair> {
    const { clockSkewSeconds, clock } = deps.options();
    const accessToken = await signer.sign(issued, clockSkewSeconds);
    deps.onIssued?.(accessToken);
    if (issued.refreshToken !== undefined) deps.onIssued?.(issued.refreshToken);
    return {
      accessToken,
      refreshToken: issued.refreshToken,
      accessExp: issued.accessExp + clockSkewSeconds,
      // Real time, rounded down: a client trusting `expires_in` then refreshes a little early, never after `exp`.
      expiresInSeconds: Math.max(0, Math.floor(issued.accessExp - clock() / 1000)),
      scope: issued.family.scope,
    };
  }

  function settings() {
    const { accessTokenTtlSeconds, refreshTokenTtlSeconds, rotation, reuseIntervalSeconds } = deps.options();
    return { accessTokenTtlSeconds, refreshTokenTtlSeconds, rotation, reuseIntervalSeconds };
  }

  return {
    async signIn(identifier, password, grant) {
      const account = accounts.find(
        (candidate) => candidate.email.toLowerCase() === identifier.toLowerCase() && candidate.password === password,
      );
      if (!account) {
        stats.count("loginFailures");
        return undefined;
      }
      stats.count("logins");
      return tokenPair(tokens.login(account.id, settings(), grant));
    },

    async refresh(refreshToken, clientId) {
      const outcome = tokens.rotate(refreshToken, { ...settings(), clientId });
      switch (outcome.kind) {
        case "rotated":
        case "renewed":
          stats.count("refreshes");
          return { kind: "tokens", pair: await tokenPair(outcome), family: outcome.family };
        case "replayed":
          stats.count("reuseWithinInterval");
          return { kind: "tokens", pair: await tokenPair(outcome), family: outcome.family };
        case "reused":
          stats.count("reuseDetections");
          stats.count("familiesRevoked");
          return { kind: "refused", reason: "reused" };
        default:
          return { kind: "refused", reason: outcome.kind };
      }
    },

    revoke(family) {
      if (tokens.revokeFamily(family.id).kind !== "revoked") return false;
      stats.count("revocations");
      stats.count("familiesRevoked");
      return true;
    },

    findAccount(accountId) {
      return accounts.find((candidate) => candidate.id === accountId);
    },
  };
}
