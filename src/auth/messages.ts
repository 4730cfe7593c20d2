/**
 * Sign-in errors as the login page shows them. next-auth v4 passes a thrown authorize() error's message
 * to the client as `error`, so the message is the user-facing text; the backend's own refusal is kept.
 */
const MESSAGES = {
  missing: "Enter your email and password.",
  rejected: "Invalid email or password.",
  unavailable: "The sign-in service is not answering right now. Please try again in a moment.",
  misconfigured: "This app is not set up correctly for its sign-in service, so nobody can sign in right now. The error is logged for its operators; your password was not the problem.",
} as const;

export function credentialsError(kind: keyof typeof MESSAGES, backendMessage?: string): string {
  return kind === "rejected" && backendMessage ? backendMessage : MESSAGES[kind];
}

/** Text for the `error` query parameters next-auth and our middleware put on /login. */
export function loginErrorText(code: string | null | undefined): string | null {
  if (!code) return null;
  if (code === "SessionExpired") return "Your session has expired. Please sign in again.";
  if (code === "CredentialsSignin") return MESSAGES.rejected;
  if (code === "SessionRequired") return "Please sign in to continue.";
  // next-auth forwards authorize()'s message verbatim; show it, it is ours or the backend's.
  return code.length <= 200 ? code : "Sign-in failed.";
}
