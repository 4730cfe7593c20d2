/**
 * Test helpers for people testing their own pages: mint a valid session cookie (exactly what sign-in
 * would set) without going through /login, e.g. with tokens from your backend and an access token that
 * has already expired, to exercise the refresh path. Runtime-neutral, like the core.
 */
import { chunkSessionCookie, sessionCookieName } from "../core/session/chunks";
import { createSessionCodec } from "../core/session/codec";
import { DEFAULT_SESSION_MAX_AGE_SECONDS } from "../core/settings";
import type { BackendTokens } from "../core/backend/tokens";

/** mintSessionCookie's input: the app's NEXTAUTH_SECRET, the backend tokens to carry, and optionally the user and cookie flags. */
export interface MintOptions {
  readonly secret: string;
  readonly tokens: BackendTokens;
  readonly user?: { readonly id?: string; readonly name?: string | null; readonly email?: string | null };
  /** `true` for an https deployment (`__Secure-` name). */
  readonly secure?: boolean;
  /** The cookie's lifetime; default the settings' default (SESSION_MAX_AGE_SECONDS unset). */
  readonly maxAgeSeconds?: number;
}

/** The minted session: its cookies, and the same as a `Cookie` header value. */
export interface MintedSession {
  /** The cookies to send: one, or next-auth's chunks for a large session. */
  readonly cookies: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  /** The same, as a `Cookie` request header value. */
  readonly header: string;
}

/** A valid session cookie for your own tests, encoded exactly as the app's next-auth would (e.g. with an expired access token). */
export async function mintSessionCookie(options: MintOptions): Promise<MintedSession> {
  const codec = createSessionCodec({
    secrets: [options.secret],
    maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_SESSION_MAX_AGE_SECONDS,
  });
  const jwe = await codec.encode({
    sub: options.user?.id ?? "test-user",
    name: options.user?.name ?? null,
    email: options.user?.email ?? null,
    ...options.tokens,
  });
  const cookies = chunkSessionCookie(sessionCookieName(options.secure ?? false), jwe);
  return { cookies, header: cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ") };
}
