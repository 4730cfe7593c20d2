/**
 * Sign-in errors as the login page shows them: a fixed map from code to text. next-auth v4 passes a
 * thrown authorize() error's message to the client (and onto /login as `?error=`), so authorize() throws
 * only these codes, never text; the login page renders only text from this map, never anything taken
 * from the URL or from the backend's answer.
 */
const LOGIN_ERRORS = {
  CredentialsMissing: "Enter your email and password.",
  CredentialsSignin: "Invalid email or password.",
  SignInUnavailable: "The sign-in service is not answering right now. Please try again in a moment.",
  SignInMisconfigured:
    "This app is not set up correctly for its sign-in service, so nobody can sign in right now. The error is logged for its operators; your password was not the problem.",
  SessionExpired: "Your session has expired. Please sign in again.",
  SessionRequired: "Please sign in to continue.",
} as const;

export type LoginErrorCode = keyof typeof LOGIN_ERRORS;
/** Anything else next-auth or a URL may carry (OAuthSignin, Callback, attacker text, …). */
export const GENERIC_LOGIN_ERROR = "Sign-in failed. Please try again.";

const CREDENTIALS_ERROR_CODES = {
  missing: "CredentialsMissing",
  rejected: "CredentialsSignin",
  unavailable: "SignInUnavailable",
  misconfigured: "SignInMisconfigured",
} as const satisfies Record<string, LoginErrorCode>;

/**
 * The error code authorize() throws. The backend's refusal message is deliberately not passed on: it
 * would travel through the URL and be shown as if it were ours.
 */
export function credentialsError(kind: keyof typeof CREDENTIALS_ERROR_CODES, _backendMessage?: string): LoginErrorCode {
  return CREDENTIALS_ERROR_CODES[kind];
}

/**
 * A sign-in limit's code carries the wait in whole minutes, and only that: `TooManyAttempts:15`. The same
 * code for every limit and every account, existing or not, so the message tells nothing about either.
 */
const LIMITED_CODE = /^TooManyAttempts:([1-9]\d{0,3})$/;
const MAX_LIMITED_MINUTES = 24 * 60;

/** The code authorize() throws when a sign-in limit refuses the attempt. */
export function limitedError(minutes: number): string {
  return `TooManyAttempts:${Math.min(Math.max(1, Math.ceil(minutes)), MAX_LIMITED_MINUTES)}`;
}

/** Text for an `error` code on /login or from signIn(); null when there is none. Unknown codes get generic text. */
export function loginErrorText(code: string | null | undefined): string | null {
  if (!code) return null;
  const limited = LIMITED_CODE.exec(code);
  if (limited && Number(limited[1]) <= MAX_LIMITED_MINUTES) {
    const minutes = Number(limited[1]);
    return `Too many attempts; try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;
  }
  return Object.hasOwn(LOGIN_ERRORS, code) ? LOGIN_ERRORS[code as LoginErrorCode] : GENERIC_LOGIN_ERROR;
}
