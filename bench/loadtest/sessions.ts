/**
 * Sessions for the local storms: users sign in through the app's own next-auth routes (the engine's
 * sign-in, as any target), then their session is made due by re-minting the cookie with an access token
 * expired a minute ago, which is instant and exact: the local stack knows the app's NEXTAUTH_SECRET. The
 * engine's CLI, which cannot know it, waits for the due time instead.
 */
import { asSessionClaims } from "../../test-support/package-internals";
import { createSessionCodec, joinSessionCookie, sessionCookieName } from "edge-session-refresh";
import { mintSessionCookie } from "edge-session-refresh/testing";
import { signIn, type CookieJar, type NextAuthLocation, type SessionSource } from "edge-session-refresh-loadtest";
import type { Account } from "./stack";

/** How far in the past a minted access token expired: clearly due, whatever the refresh skew. */
const EXPIRED_AGO_MS = 60_000;
/** The demo app's next-auth: the defaults of the engine's CLI. */
export const DEMO_NEXT_AUTH: NextAuthLocation = {
  authPath: "/api/auth",
  provider: "credentials",
  identifierField: "identifier",
  headers: {},
};

export function createSessionSource(
  secret: string,
  account: (index: number) => Account,
  timeoutMs: number,
): SessionSource {
  return {
    signIn: (index, baseUrl, signal) =>
      signIn(baseUrl, account(index), DEMO_NEXT_AUTH, AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])),
    due: (jar) => mintExpired(jar, secret),
  };
}

/** The session cookie's name in this jar: `__Secure-` prefixed on https deployments. */
function cookieNameIn(jar: CookieJar): { name: string; secure: boolean } {
  const secure = [...jar.keys()].some((name) => name.startsWith(sessionCookieName(true)));
  return { name: sessionCookieName(secure), secure };
}

/** The same session (same refresh token) with its access token expired. */
export async function mintExpired(jar: CookieJar, secret: string): Promise<CookieJar> {
  const { name, secure } = cookieNameIn(jar);
  const codec = createSessionCodec({ secrets: [secret], maxAgeSeconds: 30 * 24 * 3600 });
  const claims = asSessionClaims(await codec.decode(joinSessionCookie(jar, name)));
  if (claims === null) throw new Error("cannot expire a session: the jar holds no readable session cookie");
  const minted = await mintSessionCookie({
    secret,
    secure,
    tokens: {
      accessToken: claims.accessToken,
      refreshToken: claims.refreshToken,
      accessTokenExpires: Date.now() - EXPIRED_AGO_MS,
    },
    user: { id: claims.sub, name: claims.name ?? null, email: claims.email ?? null },
  });
  const next = new Map([...jar].filter(([cookie]) => cookie !== name && !cookie.startsWith(`${name}.`)));
  for (const cookie of minted.cookies) next.set(cookie.name, cookie.value);
  return next;
}
