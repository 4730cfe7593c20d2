/**
 * The one error family for unexpected failures in the core. Expected outcomes (a bad cookie, a taken
 * lock, a refused refresh) are values, never this. Tests check `code`, never the message text.
 */

export type SessionErrorCode =
  /** A setting is missing or invalid; the message lists every problem at once. */
  | "CONFIG_INVALID"
  /** The lock store answered something that cannot come from a healthy store. */
  | "STORE_PROTOCOL"
  /** The lock store could not be reached (refused, unknown host, bad credentials): it answered nobody. */
  | "STORE_UNREACHABLE"
  /** The lock store did not answer in time: the command may still have run, and others may be leading. */
  | "STORE_TIMEOUT"
  /** A value read from the lock store failed authentication (wrong secret or tampering). */
  | "STORE_VALUE_INVALID";

export class SessionError extends Error {
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "SessionError";
    this.code = code;
  }
}

export function isSessionError(value: unknown, code?: SessionErrorCode): value is SessionError {
  return value instanceof SessionError && (code === undefined || value.code === code);
}
