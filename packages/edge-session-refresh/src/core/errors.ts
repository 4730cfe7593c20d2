import type { SettingProblem } from "./setting-problem";

/**
 * The one error family for unexpected failures in the core. Expected outcomes (a bad cookie, a taken
 * lock, a refused refresh) are values, never this. Tests check `code`, never the message text.
 */

/** The fixed codes of SessionError; tests and callers match these, never the message. */
export type SessionErrorCode =
  /** A setting is missing or invalid; `problems` names each one, and the message lists them all at once. */
  | "CONFIG_INVALID"
  /** The lock store answered something that cannot come from a healthy store (an error reply, a bad shape). */
  | "STORE_PROTOCOL"
  /** The lock store could not be reached (connection refused, unknown host): it answered nobody. */
  | "STORE_UNREACHABLE"
  /** The lock store did not answer in time: the command may still have run, and others may be leading. */
  | "STORE_TIMEOUT"
  /** The lock store refused our credentials (HTTP 401): a misconfiguration, never fixed by waiting. */
  | "STORE_UNAUTHORIZED"
  /** The lock store refused for rate or quota (HTTP 429, "max requests limit exceeded"). */
  | "STORE_RATE_LIMITED"
  /** The lock store's service failed (HTTP 5xx, a gateway's non-JSON page). */
  | "STORE_SERVER_ERROR"
  /** A value read from the lock store failed authentication (tampering, or a value not sealed for this token). */
  | "STORE_VALUE_INVALID"
  /** The backend refused the session's refresh token; thrown only where a framework needs an exception. */
  | "SESSION_REJECTED";

/** The package's one error family: a fixed `code` (SessionErrorCode) and, where there is one, a `cause`. */
export class SessionError extends Error {
  readonly code: SessionErrorCode;
  /** For CONFIG_INVALID: every setting that is wrong, and what is wrong with it (empty for the other codes). */
  readonly problems: readonly SettingProblem[];

  constructor(
    code: SessionErrorCode,
    message: string,
    options?: { cause?: unknown; problems?: readonly SettingProblem[] },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SessionError";
    this.code = code;
    this.problems = Object.freeze([...(options?.problems ?? [])]);
  }
}

/** The CONFIG_INVALID error for these problems: one message listing them all, and the list itself. */
export function configInvalid(problems: readonly SettingProblem[]): SessionError {
  const lines = problems.map((problem) => problem.message);
  return new SessionError("CONFIG_INVALID", `Invalid settings:\n  - ${lines.join("\n  - ")}`, { problems });
}

/** Whether `value` is a SessionError, and with `code` given, one with that code. */
export function isSessionError(value: unknown, code?: SessionErrorCode): value is SessionError {
  return value instanceof SessionError && (code === undefined || value.code === code);
}

/** One line for a log: name, message and the chain of causes (which is what tells an operator what to fix). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const parts = [`${error.name}: ${error.message}`];
  for (let cause = error.cause, depth = 0; cause !== undefined && depth < 4; depth++) {
    parts.push(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join(" <- ");
}
