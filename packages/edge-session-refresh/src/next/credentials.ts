/**
 * What a Credentials provider's authorize() returns here: the user plus the backend's tokens, as
 * `{ ...user, tokens }`. Two ways to build it: let `credentialsFromBackend()` sign in at the backend the
 * settings name (BACKEND_URL, BACKEND_LOGIN_PATH, …), or keep your own fetch and pass its JSON answer to
 * `withBackendTokens(user, body)`.
 */
import { clientAddress, type RequestHeaders } from "../core/signin/client-address";
import { parseTokenResponse } from "../core/backend/token-response";
import { retryAfterMinutes } from "../core/signin/sign-in-limits";
import { sessionRuntime } from "./runtime";
import { signInLimits } from "./sign-in-limits";
import type { BackendUser } from "./with-session-refresh";
import { alreadyChecked, describeLimitedAuthorize } from "./credentials-limits";

/** How credentialsFromBackend reads the sign-in form and turns the backend's profile into next-auth's user. */
export interface CredentialsFromBackendOptions {
  /** The name of the identifier field in your provider's `credentials` (default `identifier`). */
  readonly identifierField?: string;
  /** The name of the password field (default `password`). */
  readonly passwordField?: string;
  /** Next-auth's user from the backend's profile (BACKEND_PROFILE_PATH); default id/sub, name/username, email. */
  readonly toUser?: (
    profile: Readonly<Record<string, unknown>>,
    identifier: string,
  ) => { id: string; name?: string | null; email?: string | null };
  /** The messages thrown when the backend is down or misconfigured (default the sentences below; an app whose login page maps codes passes codes). */
  readonly errors?: {
    readonly unavailable: string;
    readonly misconfigured: string;
    readonly limited?: (minutes: number) => string;
  };
}

/** Messages next-auth passes to the sign-in page as `error` (a refusal is next-auth's own `CredentialsSignin`). */
export const SIGN_IN_UNAVAILABLE = "The sign-in service is not answering right now. Please try again in a moment.";
export const SIGN_IN_MISCONFIGURED = "This app is not set up correctly for its sign-in service; the error is logged.";
/** The message when a sign-in limit refuses the attempt (SIGNIN_* settings). */
export const signInLimited = (minutes: number) =>
  `Too many attempts; try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`;

/**
 * An authorize() for `CredentialsProvider({ credentials, authorize: credentialsFromBackend() })`: signs in at
 * the backend, reads the profile with the new access token, returns `{ id, name, email, tokens }`. Wrong
 * credentials → null (next-auth's `CredentialsSignin`); backend down or misconfigured → an Error whose
 * message next-auth shows. Before the backend hears of it, the attempt passes the sign-in limits (too
 * many → an Error with `errors.limited(minutes)`): withSessionRefresh's wrapper checks them for every
 * Credentials provider (credentials-limits.ts) and this function then does not count again; called outside
 * it, it checks them itself. Pass next-auth's second argument (`req`) along, so the person's address is
 * read from SIGNIN_CLIENT_IP_HEADER and sent to the backend as X-Forwarded-For.
 */
export function credentialsFromBackend(options: CredentialsFromBackendOptions = {}) {
  const identifierField = options.identifierField ?? "identifier";
  const passwordField = options.passwordField ?? "password";
  const errors = options.errors ?? { unavailable: SIGN_IN_UNAVAILABLE, misconfigured: SIGN_IN_MISCONFIGURED };
  const limited = options.errors?.limited ?? signInLimited;
  const authorize = async function authorize(
    credentials: Record<string, string> | undefined,
    request?: { readonly headers?: RequestHeaders },
  ): Promise<BackendUser | null> {
    const identifier = credentials?.[identifierField]?.trim() ?? "";
    const password = credentials?.[passwordField] ?? "";
    if (!identifier || !password) return null;
    const { backend, onEvent, settings } = sessionRuntime();
    const address = clientAddress(request?.headers, settings.signIn.clientAddress);
    // Under withSessionRefresh the provider's wrapper (credentials-limits.ts) has checked this attempt already.
    const check = alreadyChecked(credentials, request)
      ? UNCHECKED
      : await signInLimits().check({ identifier, address });
    if (check.kind === "limited") throw new Error(limited(retryAfterMinutes(check.retryAfterMs)));
    const login = await backend.login(
      identifier,
      password,
      undefined,
      settings.signIn.forwardClientAddress ? (address ?? undefined) : undefined,
    );
    if (login.kind === "rejected") return null;
    if (login.kind === "misconfigured") {
      onEvent({ event: "backend-misconfigured", detail: `sign-in: ${login.detail}` });
      throw new Error(errors.misconfigured);
    }
    if (login.kind !== "ok") {
      onEvent({ event: "backend-unavailable", detail: `sign-in: ${login.detail}` });
      throw new Error(errors.unavailable);
    }
    await check.succeeded();
    const profile = await backend.profile(login.value.accessToken);
    const fields = profile.kind === "ok" ? profile.value : {};
    const user = options.toUser ? options.toUser(fields, identifier) : defaultUser(fields, identifier);
    return { ...user, tokens: login.value };
  };
  return describeLimitedAuthorize(authorize, { identifierField, limitedMessage: limited });
}

/** The check of an attempt the wrapper already checked: it records the outcome itself. */
const UNCHECKED = { kind: "allowed", succeeded: async () => {} } as const;

/**
 * `{ ...user, tokens }` from your own login call's JSON answer, read like every backend answer here
 * (`accessToken`/`access_token`/`access`, `refreshToken`/`refresh_token`/`refresh`, nested under `data` or not,
 * expiry from `accessTokenExpires`/`expiresAt`/`expires_at`/`expires_in` or the JWT's `exp`). Throws when the
 * answer has no usable access token, refresh token or expiry.
 */
export function withBackendTokens<U extends { id: string }>(
  user: U,
  body: unknown,
  receivedAt = Date.now(),
): U & BackendUser {
  const parsed = parseTokenResponse(body, { receivedAt });
  if (parsed.kind !== "ok") throw new Error(`[session] the backend's login answer cannot be used: ${parsed.reason}`);
  const { accessToken, refreshToken, accessTokenExpires } = parsed.tokens;
  if (refreshToken === undefined) throw new Error("[session] the backend's login answer has no refresh token");
  return { ...user, tokens: { accessToken, refreshToken, accessTokenExpires, accessTokenReceivedAt: receivedAt } };
}

function defaultUser(fields: Readonly<Record<string, unknown>>, identifier: string) {
  return {
    id: text(fields.id) ?? text(fields.sub) ?? identifier,
    name: text(fields.name) ?? text(fields.username) ?? null,
    email: text(fields.email) ?? (identifier.includes("@") ? identifier : null),
  };
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : typeof value === "number" ? String(value) : undefined;
}
