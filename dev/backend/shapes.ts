/**
 * The three response dialects the app must understand without code changes: the app's own default
 * (`{ data: { accessToken, refreshToken, accessTokenExpires } }`), OAuth 2.0 (RFC 6749 §5.1/§5.2, RFC 6750 §3)
 * and Django REST SimpleJWT. Only bodies, statuses and headers differ; the token logic is shared.
 */

import type { BackendShape } from "./options";

export interface Reply {
  status: number;
  /** JSON-encoded; `undefined` sends no body at all (204). */
  body: unknown;
  headers?: Record<string, string>;
}

export interface TokenPair {
  accessToken: string;
  /** Absent when the backend does not rotate (`rotation: "none"`): the answer then has no refresh-token field. */
  refreshToken?: string;
  /** The access token's JWT `exp` as stated (shifted by the clock skew), epoch seconds. */
  accessExp: number;
  /** Whole seconds of real time until the access token expires, for `expires_in`. */
  expiresInSeconds: number;
  /** The granted scope, for OAuth answers to a request that named one. */
  scope?: string;
}

export type RefreshRefusal = "unknown" | "expired" | "revoked" | "reused" | "consumed" | "wrong_client";
export type ProfileRefusal = "missing" | "expired" | "revoked" | "invalid";

/** What was wrong with a request body; `field` names a missing or mistyped field. */
export interface BodyProblem {
  message: string;
  field?: string;
}

interface Dialect {
  tokens(pair: TokenPair): Reply;
  loginRefused(): Reply;
  refreshRefused(reason: RefreshRefusal): Reply;
  profileRefused(reason: ProfileRefusal): Reply;
  badRequest(problem: BodyProblem): Reply;
  unavailable(): Reply;
  /** The answer to a sign-out, whether or not the token was known. */
  signedOut(): Reply;
}

/** Long enough that a client retries soon, short enough that tests flipping failMode back see it quickly. */
const RETRY_AFTER_SECONDS = "1";

const REFRESH_REFUSALS: Record<RefreshRefusal, { error: string; message: string }> = {
  unknown: { error: "invalid_refresh_token", message: "Unknown refresh token" },
  expired: { error: "refresh_token_expired", message: "Refresh token has expired" },
  revoked: { error: "token_revoked", message: "Refresh token has been revoked" },
  reused: { error: "token_reused", message: "Refresh token was already used; the session has been revoked" },
  consumed: { error: "token_reused", message: "Refresh token was already used" },
  wrong_client: { error: "invalid_refresh_token", message: "Refresh token was issued to another client" },
};

const PROFILE_REFUSALS: Record<ProfileRefusal, { error: string; message: string }> = {
  missing: { error: "missing_token", message: "Authorization: Bearer <accessToken> is required" },
  expired: { error: "token_expired", message: "Access token has expired" },
  revoked: { error: "token_revoked", message: "Access token has been revoked" },
  invalid: { error: "invalid_token", message: "Access token is invalid" },
};

const defaultDialect: Dialect = {
  tokens: (pair) => ({
    status: 200,
    body: {
      data: {
        accessToken: pair.accessToken,
        ...(pair.refreshToken === undefined ? {} : { refreshToken: pair.refreshToken }),
        // Epoch milliseconds, equal to the JWT's own `exp`, so both ways of reading the expiry agree.
        accessTokenExpires: pair.accessExp * 1000,
      },
    },
  }),
  loginRefused: () => ({ status: 401, body: { error: "invalid_credentials", message: "Invalid email or password" } }),
  refreshRefused: (reason) => ({ status: 401, body: REFRESH_REFUSALS[reason] }),
  profileRefused: (reason) => ({ status: 401, body: PROFILE_REFUSALS[reason] }),
  badRequest: (problem) => ({ status: 400, body: { error: "invalid_request", message: problem.message } }),
  unavailable: () => ({
    status: 503,
    body: { error: "unavailable", message: "Refresh is temporarily unavailable" },
    headers: { "retry-after": RETRY_AFTER_SECONDS },
  }),
  signedOut: () => ({ status: 204, body: undefined }),
};

// RFC 6749 §5.2: every refused grant is 400 invalid_grant, not 401; clients must treat it as a refusal.
const oauthDialect: Dialect = {
  tokens: (pair) => ({
    status: 200,
    body: {
      access_token: pair.accessToken,
      token_type: "Bearer",
      expires_in: pair.expiresInSeconds,
      ...(pair.refreshToken === undefined ? {} : { refresh_token: pair.refreshToken }),
      ...(pair.scope === undefined ? {} : { scope: pair.scope }),
    },
    // RFC 6749 §5.1: Cache-Control: no-store (sendJson sets it on every answer) and Pragma: no-cache.
    headers: { pragma: "no-cache" },
  }),
  loginRefused: () => ({
    status: 400,
    body: { error: "invalid_grant", error_description: "Invalid email or password" },
  }),
  refreshRefused: (reason) => ({
    status: 400,
    body: { error: "invalid_grant", error_description: REFRESH_REFUSALS[reason].message },
  }),
  profileRefused: (reason) => ({
    status: 401,
    body: { error: "invalid_token", error_description: PROFILE_REFUSALS[reason].message },
    // RFC 6750 §3: no error code when the request simply carried no token.
    headers: {
      "www-authenticate":
        reason === "missing"
          ? 'Bearer realm="reference-backend"'
          : `Bearer realm="reference-backend", error="invalid_token", error_description="${PROFILE_REFUSALS[reason].message}"`,
    },
  }),
  badRequest: (problem) => ({ status: 400, body: { error: "invalid_request", error_description: problem.message } }),
  unavailable: () => ({
    status: 503,
    body: { error: "temporarily_unavailable", error_description: "Refresh is temporarily unavailable" },
    headers: { "retry-after": RETRY_AFTER_SECONDS },
  }),
  // RFC 7009 §2.2: 200, also for a token the server does not know.
  signedOut: () => ({ status: 200, body: {} }),
};

// SimpleJWT's own bodies, word for word; its blacklist makes reuse and revocation look the same.
const DRF_TOKEN_INVALID = { detail: "Token is invalid or expired", code: "token_not_valid" };
const DRF_TOKEN_BLACKLISTED = { detail: "Token is blacklisted", code: "token_not_valid" };

const drfDialect: Dialect = {
  // No expiry field: the client has to read the access token's `exp`.
  tokens: (pair) => ({
    status: 200,
    body:
      pair.refreshToken === undefined
        ? { access: pair.accessToken }
        : { access: pair.accessToken, refresh: pair.refreshToken },
  }),
  loginRefused: () => ({ status: 401, body: { detail: "No active account found with the given credentials" } }),
  refreshRefused: (reason) => ({
    status: 401,
    body:
      reason === "revoked" || reason === "reused" || reason === "consumed" ? DRF_TOKEN_BLACKLISTED : DRF_TOKEN_INVALID,
  }),
  profileRefused: (reason) => ({
    status: 401,
    body:
      reason === "missing"
        ? { detail: "Authentication credentials were not provided." }
        : { detail: "Given token not valid for any token type", code: "token_not_valid" },
    headers: { "www-authenticate": 'Bearer realm="api"' },
  }),
  // DRF reports a missing field as `{ field: [message] }` and unparsable JSON as `{ detail }`.
  badRequest: (problem) => ({
    status: 400,
    body: problem.field ? { [problem.field]: ["This field is required."] } : { detail: problem.message },
  }),
  unavailable: () => ({
    status: 503,
    body: { detail: "Service temporarily unavailable, try again later." },
    headers: { "retry-after": RETRY_AFTER_SECONDS },
  }),
  // SimpleJWT's TokenBlacklistView answers an empty object.
  signedOut: () => ({ status: 200, body: {} }),
};

const DIALECTS: Record<BackendShape, Dialect> = { default: defaultDialect, oauth: oauthDialect, drf: drfDialect };

export function dialectFor(shape: BackendShape): Dialect {
  return DIALECTS[shape];
}
