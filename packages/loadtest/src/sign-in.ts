/**
 * next-auth v4's HTTP sign-in flow, as a browser's form does it: GET `<auth-path>/csrf` (which sets the
 * CSRF cookie), then POST `<auth-path>/callback/<provider>` form-encoded with the token, the identifier
 * field, the password and `json=true`, redirects not followed. And the session's due time, as an app on
 * edge-session-refresh states it in `<auth-path>/session`.
 */
import { cookieHeader, hasSessionCookie, storeCookies, type CookieJar } from "./cookies";
import type { Account } from "./types";

export interface NextAuthLocation {
  /** next-auth's base path on the target, e.g. `/api/auth` (default) or `/app/api/auth` with a basePath. */
  readonly authPath: string;
  /** The provider id, e.g. `credentials`. */
  readonly provider: string;
  /** The Credentials provider's field for the identifier, e.g. `identifier`, `email` or `username`. */
  readonly identifierField: string;
  /** Sent with every request (Deployment Protection bypass, basic auth, …). */
  readonly headers: Readonly<Record<string, string>>;
}

/** Why a sign-in failed, short and groupable. */
export class SignInError extends Error {
  constructor(
    readonly code: "csrf-failed" | "rejected" | "no-session-cookie" | "network",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SignInError";
  }
}

export async function signIn(
  baseUrl: string,
  account: Account,
  location: NextAuthLocation,
  signal: AbortSignal,
): Promise<CookieJar> {
  const jar: CookieJar = new Map();
  let csrfToken: string;
  try {
    const csrf = await fetch(`${baseUrl}${location.authPath}/csrf`, {
      headers: { ...location.headers, accept: "application/json" },
      redirect: "manual",
      signal,
    });
    storeCookies(jar, csrf);
    const body = (await csrf.json().catch(() => null)) as { csrfToken?: unknown } | null;
    if (!csrf.ok || typeof body?.csrfToken !== "string") {
      throw new SignInError(
        "csrf-failed",
        `GET ${location.authPath}/csrf answered ${csrf.status} without a csrfToken (is --auth-path right?)`,
      );
    }
    csrfToken = body.csrfToken;
  } catch (error) {
    if (error instanceof SignInError) throw error;
    throw new SignInError("network", `GET ${baseUrl}${location.authPath}/csrf failed: ${describe(error)}`, {
      cause: error,
    });
  }
  let response: Response;
  try {
    response = await fetch(`${baseUrl}${location.authPath}/callback/${encodeURIComponent(location.provider)}`, {
      method: "POST",
      redirect: "manual",
      headers: { ...location.headers, "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar) },
      body: new URLSearchParams({
        csrfToken,
        [location.identifierField]: account.identifier,
        password: account.password,
        json: "true",
      }),
      signal,
    });
  } catch (error) {
    throw new SignInError(
      "network",
      `POST ${location.authPath}/callback/${location.provider} failed: ${describe(error)}`,
      { cause: error },
    );
  }
  storeCookies(jar, response);
  const text = await response.text().catch(() => "");
  if (!hasSessionCookie(jar)) {
    const error = /[?&]error=([^&"]+)/.exec(text)?.[1];
    throw new SignInError(
      error === undefined ? "no-session-cookie" : "rejected",
      `sign-in as ${account.identifier} set no session cookie (status ${response.status}${error ? `, error=${decodeURIComponent(error)}` : ""})`,
    );
  }
  return jar;
}

/**
 * When the session in `jar` falls due for refresh, in epoch ms, as the app states it in
 * `<auth-path>/session` (`refreshDueFrom`, else `accessTokenExpires`); null when it states neither (an app
 * not on edge-session-refresh). The jar takes the cookies the answer sets.
 */
export async function sessionDueAt(
  baseUrl: string,
  jar: CookieJar,
  location: NextAuthLocation,
  signal: AbortSignal,
): Promise<SessionTimes | null> {
  const response = await fetch(`${baseUrl}${location.authPath}/session`, {
    headers: { ...location.headers, cookie: cookieHeader(jar), accept: "application/json" },
    redirect: "manual",
    signal,
  });
  storeCookies(jar, response);
  const session = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  return sessionTimes(session);
}

export interface SessionTimes {
  /** When the server refreshes the session on any request. */
  readonly dueAt: number;
  /** When the server refreshes a request marked x-session-refresh-ahead; null when not stated. */
  readonly aheadFrom: number | null;
}

/** The times a session JSON states; null when it has neither `refreshDueFrom` nor `accessTokenExpires`. */
export function sessionTimes(session: Record<string, unknown> | null): SessionTimes | null {
  if (session === null) return null;
  const number = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : null);
  const dueAt = number(session.refreshDueFrom) ?? number(session.accessTokenExpires);
  if (dueAt === null) return null;
  return { dueAt, aheadFrom: number(session.refreshAheadFrom) };
}

function describe(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") return "timed out or aborted";
  const cause = (error as { cause?: { code?: string } } | null)?.cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
