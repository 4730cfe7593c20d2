/**
 * For an existing next-auth v4 app: wrap its own AuthOptions so next-auth reads and writes the cookie the
 * middleware refreshes, refreshes only through the coordinator, and never hands a token to the browser.
 * See MIGRATING.md for the step-by-step migration from the `jwt`-callback refresh recipe.
 */
import type { AuthOptions, CallbacksOptions, LoggerInstance, User } from "next-auth";
import type { JWT, JWTDecodeParams, JWTEncodeParams } from "next-auth/jwt";
import { asSessionClaims } from "../core/session/claims";
import { isSessionError, SessionError } from "../core/errors";
import type { BackendTokens } from "../core/backend/tokens";
import type { SessionRuntime } from "../core/runtime";
import type { SignInLimits } from "../core/signin/sign-in-limits";
import { isJsonObject } from "../core/support/json";
import { sameOriginRedirect } from "../core/navigation/callback-path";
import { sessionRuntime } from "./runtime";
import { refreshAlreadyUnavailable } from "./server-session";
import { withCredentialsLimits, type CredentialsLimitsOptions } from "./credentials-limits";
import { signInLimits } from "./sign-in-limits";
import { signInLimited } from "./credentials";

/** What authorize() returns: the user as next-auth knows it, plus the backend's tokens (never shown to the browser). */
export interface BackendUser extends User {
  readonly tokens: BackendTokens;
}

/** The claim names that carry tokens: kept in the encrypted cookie, never in a session the browser sees. */
const TOKEN_CLAIMS = ["accessToken", "refreshToken", "accessTokenReceivedAt"] as const;

type JwtParams = Parameters<CallbacksOptions["jwt"]>[0];

/** What an app may say about the wrapper's own behaviour (the second argument of withSessionRefresh). */
export interface SessionRefreshOptions {
  /**
   * Where the open-redirect guard sends a sign-in or sign-out whose target is not a path on this app (another
   * origin, a scheme, a path that normalises to `//host`): a path on the app, default `/`.
   */
  readonly redirectFallbackPath?: string;
  /**
   * The sign-in limits every Credentials provider's authorize() is wrapped in (the SIGNIN_* settings; SIGNIN_LIMITS=off
   * turns them off): which credentials field names the account, and the message a refused attempt throws.
   */
  readonly signIn?: CredentialsLimitsOptions;
}

/** next-auth's own fallback for a refused redirect is its base URL: the app's root. */
const DEFAULT_REDIRECT_FALLBACK_PATH = "/";

export interface WrapDependencies {
  /** The isolate's runtime; called at request time, never at import (a build has no settings). */
  readonly runtime: () => SessionRuntime;
  /** Whether the middleware in front of this request already found the backend unavailable. */
  readonly refreshAlreadyUnavailable: () => Promise<boolean>;
  /** The isolate's sign-in limits (src/next/sign-in-limits.ts); tests pass their own. */
  readonly signInLimits?: () => SignInLimits;
}

/**
 * Your AuthOptions, with the session handled here:
 *
 * - `jwt.encode` / `jwt.decode`: the shared codec (the cookie the middleware reads and rewrites);
 *   `secret`, `useSecureCookies`, `session.strategy`/`maxAge` come from the settings (NEXTAUTH_SECRET, NEXTAUTH_URL,
 *   SESSION_MAX_AGE_SECONDS). Setting any of these yourself to something else is an error at the first request.
 * - `callbacks.jwt`: at sign-in the tokens authorize() returned (`user.tokens`) go into the token; later the
 *   refresh decision runs through the coordinator FIRST, then your own jwt callback runs with the current
 *   (possibly just refreshed) token and may add or change claims. The token claims it returns are ignored: the
 *   coordinator's tokens always win. A refused refresh throws, so next-auth ends the session.
 * - `callbacks.session`: your session callback receives a session built from the token (user with `id`,
 *   `accessTokenExpires`, `error: "RefreshUnavailable"` during an outage) and a token WITHOUT `accessToken` /
 *   `refreshToken`; whatever it returns is scrubbed of both (by name and by value) before it leaves.
 * - `events.signOut`: revokes the refresh token at the backend and forgets its chain in the lock store
 *   (coordinator.signOut), and also calls your own `events.signOut`.
 * - `callbacks.redirect`: the open-redirect guard. Only a path on the app's own origin comes out
 *   (src/core/navigation/callback-path.ts); anything else becomes `redirectFallbackPath`. Your own redirect
 *   callback runs first and its answer goes through the same guard, so it can narrow, never widen, where
 *   people are sent.
 * - `logger.error`: a refused refresh (an expected end of a session) is not logged as an error.
 *
 * - every Credentials provider's `authorize` (`type === "credentials"`): the sign-in limits are checked before
 *   yours runs, with the person's address from the request next-auth hands over and the account from the
 *   credentials (`signIn.identifierField`, src/next/credentials-limits.ts); a refused attempt throws
 *   `signIn.limitedMessage(minutes)`.
 *
 * Pages, the other providers, the other callbacks (signIn) and events are yours, untouched.
 */
export function withSessionRefresh(options: AuthOptions, refresh: SessionRefreshOptions = {}): AuthOptions {
  return wrapAuthOptions(options, { runtime: sessionRuntime, refreshAlreadyUnavailable }, refresh);
}

export function wrapAuthOptions(
  app: AuthOptions,
  deps: WrapDependencies,
  refresh: SessionRefreshOptions = {},
): AuthOptions {
  refuseConflicts(app);
  const appJwt = app.callbacks?.jwt;
  const appSession = app.callbacks?.session;
  const appRedirect = app.callbacks?.redirect;
  const appSignOut = app.events?.signOut;
  const redirectFallback = refresh.redirectFallbackPath ?? DEFAULT_REDIRECT_FALLBACK_PATH;
  const settings = () => deps.runtime().settings;

  const callbacks: Partial<CallbacksOptions> = {
    ...app.callbacks,
    async jwt(params) {
      const token = await sessionToken(params, deps);
      if (!appJwt) return token;
      const own = await appJwt({ ...params, token: { ...token } });
      if (own === null || typeof own !== "object")
        throw new Error(
          "[session] your jwt callback returned no token; return the token it was given (with your claims added)",
        );
      return withTokensOf(own, token);
    },
    async session(params) {
      const { token } = params;
      const secrets = TOKEN_CLAIMS.map((claim) => token[claim]).filter(
        (value): value is string => typeof value === "string" && value.length > 0,
      );
      const accessTokenExpires = typeof token.accessTokenExpires === "number" ? token.accessTokenExpires : null;
      const { settings: current, gate } = deps.runtime();
      const receivedAt =
        typeof token.accessTokenReceivedAt === "number" ? { accessTokenReceivedAt: token.accessTokenReceivedAt } : {};
      // When this token's refresh falls due, and from when a refresh-ahead request is honoured, as the gate
      // decides both: what the browser's SessionRefreshAhead aims at, lifetime caps included.
      const window = accessTokenExpires === null ? null : gate.refreshWindow({ accessTokenExpires, ...receivedAt });
      const base = {
        ...params.session,
        user: { ...params.session?.user, id: token.sub },
        accessTokenExpires,
        // The server's refresh skew, so the browser's SessionRefreshAhead needs no setting of its own.
        refreshSkewSeconds: current.refreshSkewMs / 1000,
        ...(window === null ? {} : { refreshAheadFrom: window.aheadFrom, refreshDueFrom: window.dueFrom }),
        ...(token.error === "RefreshUnavailable" ? { error: "RefreshUnavailable" as const } : {}),
      };
      const session = appSession ? await appSession({ ...params, session: base, token: withoutTokens(token) }) : base;
      return scrub(session, secrets) as typeof session;
    },
    async redirect(params) {
      const wanted = appRedirect ? await appRedirect(params) : params.url;
      return sameOriginRedirect(wanted, params.baseUrl, redirectFallback);
    },
  };

  const providers = withCredentialsLimits(app.providers, refresh.signIn ?? {}, {
    limits: deps.signInLimits ?? signInLimits,
    settings: () => settings().signIn,
    defaultLimitedMessage: signInLimited,
  });

  return {
    ...app,
    providers,
    get secret() {
      const secret = settings().secrets[0];
      if (app.secret !== undefined && app.secret !== secret)
        throw new Error(
          "[session] AuthOptions.secret differs from NEXTAUTH_SECRET: remove `secret` from your options (the settings provide it)",
        );
      return secret;
    },
    get useSecureCookies() {
      const secure = settings().secureCookies;
      if (app.useSecureCookies !== undefined && app.useSecureCookies !== secure)
        throw new Error(
          "[session] AuthOptions.useSecureCookies disagrees with NEXTAUTH_URL: remove it (the middleware derives it from NEXTAUTH_URL)",
        );
      return secure;
    },
    get session() {
      const maxAge = settings().sessionMaxAgeSeconds;
      if (app.session?.maxAge !== undefined && app.session.maxAge !== maxAge)
        throw new Error(
          `[session] session.maxAge ${app.session.maxAge} differs from SESSION_MAX_AGE_SECONDS (${maxAge}): set the setting instead`,
        );
      return { ...app.session, strategy: "jwt" as const, maxAge };
    },
    get jwt(): AuthOptions["jwt"] {
      const { codec, settings: current } = deps.runtime();
      return {
        ...app.jwt,
        maxAge: current.sessionMaxAgeSeconds,
        encode: ({ token, maxAge }: JWTEncodeParams) => codec.encode(token ?? {}, maxAge),
        decode: async ({ token }: JWTDecodeParams) => (await codec.decode(token)) as JWT | null,
      };
    },
    callbacks,
    events: {
      ...app.events,
      async signOut(message) {
        const claims = asSessionClaims((message.token as Record<string, unknown> | null) ?? null);
        const [, own] = await Promise.allSettled([
          claims === null ? Promise.resolve() : deps.runtime().coordinator.signOut(claims.refreshToken),
          Promise.resolve().then(() => appSignOut?.(message)),
        ]);
        // coordinator.signOut logs its own failures and never throws; yours are rethrown for next-auth to log.
        if (own.status === "rejected") throw own.reason;
      },
    },
    logger: quietRefusals(app.logger),
  };
}

/** The token after the refresh decision: from authorize() at sign-in, else refreshed through the coordinator when due. */
async function sessionToken(params: JwtParams, deps: WrapDependencies): Promise<JWT> {
  const { token, user } = params;
  if (user) {
    const tokens = (user as Partial<BackendUser>).tokens;
    if (!isBackendTokens(tokens)) {
      throw new Error(
        "[session] authorize() must return the backend's tokens as `tokens` ({ ...user, tokens: { accessToken, refreshToken, accessTokenExpires } }); see credentialsFromBackend / withBackendTokens",
      );
    }
    return { ...token, ...tokens };
  }
  const claims = asSessionClaims(token as Record<string, unknown>);
  if (claims === null) throw sessionRejected();
  // The middleware in front of /api/auth/session already asked the backend in this request.
  if (await deps.refreshAlreadyUnavailable()) return { ...token, error: "RefreshUnavailable" };
  const step = await deps.runtime().gate.refreshClaims(claims);
  switch (step.outcome) {
    case "valid":
      return token;
    case "refreshed":
    case "joined":
    case "replayed":
      return { ...step.claims } as JWT;
    case "rejected":
      throw sessionRejected();
    case "unavailable":
      // Kept as it is; the next request tries again. The flag goes with the next successful refresh.
      return { ...token, error: "RefreshUnavailable" };
  }
}

function withTokensOf(own: JWT, token: JWT): JWT {
  const result: Record<string, unknown> = { ...own };
  for (const claim of [...TOKEN_CLAIMS, "accessTokenExpires"] as const) {
    if (token[claim] === undefined) delete result[claim];
    else result[claim] = token[claim];
  }
  return result as JWT;
}

function withoutTokens(token: JWT): JWT {
  const copy: Record<string, unknown> = { ...token };
  for (const claim of TOKEN_CLAIMS) delete copy[claim];
  return copy as JWT;
}

/** A copy without any `accessToken` / `refreshToken` key and without any string equal to one of the token values. */
function scrub(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === "string") return secrets.includes(value) ? undefined : value;
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (Array.isArray(value))
    return value.map((item) => scrub(item, secrets, depth + 1)).filter((item) => item !== undefined);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if ((TOKEN_CLAIMS as readonly string[]).includes(key)) continue;
    const clean = scrub(item, secrets, depth + 1);
    if (clean !== undefined) out[key] = clean;
  }
  return out;
}

function refuseConflicts(app: AuthOptions): void {
  const problems: string[] = [];
  if (app.jwt?.encode || app.jwt?.decode)
    problems.push("jwt.encode/jwt.decode: the session cookie must be the shared codec's (remove yours)");
  if (app.session?.strategy !== undefined && app.session.strategy !== "jwt")
    problems.push(`session.strategy "${app.session.strategy}": sessions are next-auth JWT cookies here`);
  if (app.cookies?.sessionToken)
    problems.push(
      "cookies.sessionToken: the middleware reads next-auth's default session cookie name (remove the override)",
    );
  if (app.adapter) problems.push("adapter: there is no session database here (the Credentials provider needs none)");
  if (problems.length > 0)
    throw new Error(`[session] withSessionRefresh cannot wrap these options:\n  - ${problems.join("\n  - ")}`);
}

function quietRefusals(own: Partial<LoggerInstance> | undefined): Partial<LoggerInstance> {
  return {
    ...own,
    error(code, metadata) {
      // A refused refresh is an expected end of a session, not an error worth a stack trace.
      if (
        code === "JWT_SESSION_ERROR" &&
        (isSessionError(metadata, "SESSION_REJECTED") ||
          isSessionError((metadata as { error?: unknown })?.error, "SESSION_REJECTED"))
      )
        return;
      if (own?.error) own.error(code, metadata);
      else console.error(`[next-auth] ${code}`, metadata);
    },
  };
}

function sessionRejected(): SessionError {
  return new SessionError("SESSION_REJECTED", "the backend refused the refresh token");
}

/** The same test the session claims pass (claims.ts): non-empty tokens and a finite expiry. */
function isBackendTokens(value: unknown): value is BackendTokens {
  return isJsonObject(value) && asSessionClaims(value) !== null;
}
