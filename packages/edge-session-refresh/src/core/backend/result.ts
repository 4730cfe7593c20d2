/**
 * What a backend call ended in, classified where it happened. Only `rejected` ends a session; everything
 * else keeps it. docs/ARCHITECTURE.md ("Failures") has the table.
 */

export type Ok<T> = { readonly kind: "ok"; readonly value: T };
/** The backend said no: wrong password, or a refresh token it refuses (400/401/403, OAuth `invalid_grant`). */
export type Rejected = { readonly kind: "rejected"; readonly status: number; readonly message?: string };
/** No usable answer now (network, timeout, 408/425/429, 5xx): try again later, keep the session. */
export type Unavailable = {
  readonly kind: "unavailable";
  readonly reason: "network" | "timeout" | "status";
  readonly status?: number;
  readonly detail: string;
};
/** A 2xx we cannot use (not JSON, no access token, no expiry). */
export type Malformed = { readonly kind: "malformed"; readonly detail: string };
/**
 * The app is set up wrongly for this backend (a 404/405 path, OAuth `invalid_client`, an unsupported
 * grant): never the user's fault, so never a sign-out; `setting` names what an operator should fix.
 */
export type Misconfigured = {
  readonly kind: "misconfigured";
  readonly status?: number;
  readonly setting: string;
  readonly detail: string;
};

export type BackendFailure = Rejected | Unavailable | Malformed | Misconfigured;
export type BackendResult<T> = Ok<T> | BackendFailure;
