/**
 * Sessions for the storms: users sign in through the app's own next-auth routes, then their session is
 * made due for refresh. With the secret known (always locally) the cookie is re-minted with an access
 * token expired a minute ago, which is instant and exact; without it the load test waits until the access
 * token really expires, bounded by the run's deadline.
 */
import { asSessionClaims } from "../../packages/edge-session-refresh/src/core/session/claims";
import { createSessionCodec, joinSessionCookie, sessionCookieName } from "../../packages/edge-session-refresh/src/core";
import { mintSessionCookie } from "../../packages/edge-session-refresh/src/testing/session-cookie";
import { cookieHeader, signIn, storeCookies, type CookieJar } from "../../test-support/sign-in";
import type { Account } from "./stack";

/** How far in the past a minted access token expired: clearly due, whatever the refresh skew. */
const EXPIRED_AGO_MS = 60_000;
/** Waiting for a real expiry: this long after `accessTokenExpires`, for clock differences. */
const EXPIRY_MARGIN_MS = 1_000;

export interface SessionMaker {
  /** True when expiry is minted (instant); false when `expire` waits for the access token's real expiry. */
  readonly instantExpiry: boolean;
  /** Signs in through the app; rejects when `signal` aborts or `timeoutMs` passes. */
  signIn(account: Account, appUrl: string, signal: AbortSignal, timeoutMs: number): Promise<CookieJar>;
  /** The same session (same refresh token) with its access token expired. */
  expire(jar: CookieJar, appUrl: string, signal: AbortSignal): Promise<CookieJar>;
}

export function createSessionMaker(secret: string | null): SessionMaker {
  return {
    instantExpiry: secret !== null,
    signIn: (account, appUrl, signal, timeoutMs) =>
      bounded(signIn(appUrl, account.email, account.password), AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])),
    expire: secret === null ? waitForExpiry : (jar) => mintExpired(jar, secret),
  };
}

/** The session cookie's name in this jar: `__Secure-` prefixed on https deployments. */
function cookieNameIn(jar: CookieJar): { name: string; secure: boolean } {
  const secure = [...jar.keys()].some((name) => name.startsWith(sessionCookieName(true)));
  return { name: sessionCookieName(secure), secure };
}

async function mintExpired(jar: CookieJar, secret: string): Promise<CookieJar> {
  const { name, secure } = cookieNameIn(jar);
  const codec = createSessionCodec({ secrets: [secret], maxAgeSeconds: 30 * 24 * 3600 });
  const claims = asSessionClaims(await codec.decode(joinSessionCookie(jar, name)));
  if (claims === null) throw new Error("cannot expire a session: the jar holds no readable session cookie");
  const minted = await mintSessionCookie({
    secret,
    secure,
    tokens: { accessToken: claims.accessToken, refreshToken: claims.refreshToken, accessTokenExpires: Date.now() - EXPIRED_AGO_MS },
    user: { id: claims.sub, name: claims.name ?? null, email: claims.email ?? null },
  });
  const next = new Map([...jar].filter(([cookie]) => cookie !== name && !cookie.startsWith(`${name}.`)));
  for (const cookie of minted.cookies) next.set(cookie.name, cookie.value);
  return next;
}

async function waitForExpiry(jar: CookieJar, appUrl: string, signal: AbortSignal): Promise<CookieJar> {
  const response = await fetch(`${appUrl}/api/auth/session`, { headers: { cookie: cookieHeader(jar) }, signal });
  const next = storeCookies(new Map(jar), response);
  const session = (await response.json()) as { accessTokenExpires?: unknown };
  if (typeof session.accessTokenExpires !== "number") throw new Error("/api/auth/session shows no accessTokenExpires: not signed in?");
  const waitMs = session.accessTokenExpires + EXPIRY_MARGIN_MS - Date.now();
  if (waitMs > 0) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, waitMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(new Error("deadline reached while waiting for the access token to expire"));
        },
        { once: true },
      );
    });
  }
  return next;
}

/** The promise, or a rejection once `signal` aborts (test-support's signIn takes no signal of its own). */
function bounded<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new Error(`sign-in abandoned: ${signal.reason instanceof Error ? signal.reason.message : "deadline"}`));
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}
