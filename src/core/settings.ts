/**
 * Settings: parsed once from an environment-like record, validated, frozen. Every missing or bad value is
 * reported in one SessionError("CONFIG_INVALID") so an operator fixes them all in one go. The core never
 * reads process.env itself; the caller passes the record in. README.md ("Settings") lists every name.
 */
import { SessionError } from "./errors";
import { parseStoreSettings, type StoreSettings } from "./refresh/store-settings";

/** A fixed secret for local development only: `npm run dev` and NODE_ENV=development/test fall back to it. */
export const DEV_SECRET = "dev-only-secret-do-not-use-in-production-0123456789";
const DEFAULT_APP_URL = "http://localhost:3000";
const DEFAULT_BACKEND_URL = "http://127.0.0.1:4000";
const DEFAULT_SKEW_SECONDS = 30;
const DEFAULT_GRACE_SECONDS = 30;
/**
 * The grace window's ceiling: a rotated-away refresh token leads to its successor this long at most. A
 * copied cookie is worth that much more to a thief after its owner refreshed (SECURITY.md), so it is short.
 */
const MAX_GRACE_SECONDS = 300;
const DEFAULT_TIMEOUT_MS = 5000;
/** next-auth v4's default session lifetime. */
const DEFAULT_SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** Shorter secrets are refused in production, current and previous alike: `openssl rand -base64 32` gives 44. */
export const MIN_SECRET_LENGTH = 32;
/** The RFC 6749 token endpoint path most servers use, the oauth2 default for sign-in and refresh. */
const DEFAULT_OAUTH_TOKEN_PATH = "/oauth/token";

export type Env = Readonly<Record<string, string | undefined>>;

/** Every environment variable parseSettings reads (README.md, "Settings"), for runtimes that bind them one by one. */
export const SETTING_NAMES = Object.freeze([
  "NEXTAUTH_SECRET",
  "NEXTAUTH_SECRET_PREVIOUS",
  "NEXTAUTH_URL",
  "VERCEL",
  "VERCEL_ENV",
  "VERCEL_URL",
  "BACKEND_URL",
  "BACKEND_PROTOCOL",
  "BACKEND_LOGIN_PATH",
  "BACKEND_REFRESH_PATH",
  "BACKEND_PROFILE_PATH",
  "BACKEND_LOGOUT_PATH",
  "BACKEND_REVOCATION_PATH",
  "BACKEND_LOGIN_USERNAME_FIELD",
  "BACKEND_LOGIN_PASSWORD_FIELD",
  "BACKEND_REFRESH_TOKEN_FIELD",
  "BACKEND_CLIENT_ID",
  "BACKEND_CLIENT_SECRET",
  "BACKEND_CLIENT_AUTH",
  "BACKEND_SCOPE",
  "BACKEND_REFRESH_TOKEN_ROTATION",
  "BACKEND_TIMEOUT_MS",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "KV_REST_API_URL",
  "KV_REST_API_TOKEN",
  "REDIS_URL",
  "REDIS_CLUSTER_NODES",
  "REDIS_CLUSTER_TLS",
  "REDIS_USERNAME",
  "REDIS_PASSWORD",
  "SESSION_REFRESH_SKEW_SECONDS",
  "SESSION_REFRESH_GRACE_SECONDS",
  "SESSION_MAX_AGE_SECONDS",
  "SESSION_UNLOCKED_BASELINE",
  "SESSION_UNLOCKED_BASELINE_I_UNDERSTAND",
] as const);

/** How the backend is spoken to: the JSON bodies of README.md ("Settings"), or an RFC 6749 token endpoint. */
export type BackendProtocol = "json" | "oauth2";
/** RFC 6749 §2.3.1 client authentication: HTTP Basic, credentials in the body, or a public client. */
export type ClientAuthMethod = "basic" | "post" | "none";
/**
 * What the backend does with a refresh token once used, as the operator declares it. Only `rotate` makes
 * an unlocked refresh dangerous, so only then is a lock-store outage answered with 503 instead of a
 * refresh without the lock.
 */
export type RotationPolicy = "rotate" | "none" | "reuse-interval";

export interface OAuthClientSettings {
  readonly id: string | undefined;
  readonly secret: string | undefined;
  readonly auth: ClientAuthMethod;
  readonly scope: string | undefined;
}

export interface BackendSettings {
  readonly baseUrl: string;
  readonly protocol: BackendProtocol;
  readonly loginPath: string;
  readonly refreshPath: string;
  readonly profilePath: string;
  /** JSON protocol: POSTed `{<refresh field>: refreshToken}` on sign-out. */
  readonly logoutPath: string | undefined;
  /** oauth2 protocol: RFC 7009 revocation endpoint, called on sign-out. */
  readonly revocationPath: string | undefined;
  readonly usernameField: string;
  readonly passwordField: string;
  readonly refreshTokenField: string;
  readonly oauth: OAuthClientSettings;
  readonly rotation: RotationPolicy;
  readonly timeoutMs: number;
}

export type { StoreKind, StoreSettings } from "./refresh/store-settings";

export interface Settings {
  /** Current secret first, then previous ones still accepted for reading. */
  readonly secrets: readonly [string, ...string[]];
  readonly appUrl: string;
  readonly secureCookies: boolean;
  readonly sessionMaxAgeSeconds: number;
  readonly backend: BackendSettings;
  readonly store: StoreSettings;
  readonly refreshSkewMs: number;
  readonly refreshGraceMs: number;
  /**
   * The unlocked "refresh inside the jwt callback" recipe, kept only as the load test's baseline.
   * Off by default and refused when NODE_ENV=production unless the load test's explicit opt-in is set.
   */
  readonly unlockedBaseline: boolean;
}

export interface ParseOptions {
  /** Typically process.env.NODE_ENV. "production" makes NEXTAUTH_SECRET mandatory and strict. */
  readonly nodeEnv?: string;
}

export function parseSettings(env: Env, options: ParseOptions = {}): Settings {
  const problems: string[] = [];
  const production = options.nodeEnv === "production";
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  const secrets = readSecrets(text("NEXTAUTH_SECRET"), text("NEXTAUTH_SECRET_PREVIOUS"), production, problems);

  const appUrl = url("NEXTAUTH_URL", text("NEXTAUTH_URL") ?? inferredAppUrl(env), problems);
  const secureCookies = appUrl.startsWith("https://");

  const protocol = oneOf("BACKEND_PROTOCOL", text("BACKEND_PROTOCOL"), ["json", "oauth2"] as const, "json", problems);
  const oauth = readOAuthClient(text, protocol, problems);
  const defaultLoginPath = protocol === "oauth2" ? DEFAULT_OAUTH_TOKEN_PATH : "/api/auth";
  const defaultRefreshPath = protocol === "oauth2" ? DEFAULT_OAUTH_TOKEN_PATH : "/api/auth/refresh-token";
  const optionalPath = (name: string) => {
    const value = text(name);
    return value === undefined ? undefined : path(name, value, problems);
  };
  const backend: BackendSettings = {
    baseUrl: url("BACKEND_URL", text("BACKEND_URL") ?? DEFAULT_BACKEND_URL, problems).replace(/\/+$/, ""),
    protocol,
    loginPath: path("BACKEND_LOGIN_PATH", text("BACKEND_LOGIN_PATH") ?? defaultLoginPath, problems),
    refreshPath: path("BACKEND_REFRESH_PATH", text("BACKEND_REFRESH_PATH") ?? defaultRefreshPath, problems),
    profilePath: path("BACKEND_PROFILE_PATH", text("BACKEND_PROFILE_PATH") ?? "/api/me", problems),
    logoutPath: optionalPath("BACKEND_LOGOUT_PATH"),
    revocationPath: optionalPath("BACKEND_REVOCATION_PATH"),
    usernameField: text("BACKEND_LOGIN_USERNAME_FIELD") ?? "email",
    passwordField: text("BACKEND_LOGIN_PASSWORD_FIELD") ?? "password",
    refreshTokenField: text("BACKEND_REFRESH_TOKEN_FIELD") ?? "refreshToken",
    oauth,
    rotation: oneOf("BACKEND_REFRESH_TOKEN_ROTATION", text("BACKEND_REFRESH_TOKEN_ROTATION"), ["rotate", "none", "reuse-interval"] as const, "rotate", problems),
    timeoutMs: integer("BACKEND_TIMEOUT_MS", text("BACKEND_TIMEOUT_MS"), DEFAULT_TIMEOUT_MS, 100, 120_000, problems),
  };
  if (protocol === "json" && backend.revocationPath !== undefined) problems.push("BACKEND_REVOCATION_PATH is for BACKEND_PROTOCOL=oauth2; the JSON protocol uses BACKEND_LOGOUT_PATH");
  if (protocol === "oauth2" && backend.logoutPath !== undefined) problems.push("BACKEND_LOGOUT_PATH is for the JSON protocol; BACKEND_PROTOCOL=oauth2 uses BACKEND_REVOCATION_PATH (RFC 7009)");

  const store = parseStoreSettings(text, problems);

  const skewSeconds = integer("SESSION_REFRESH_SKEW_SECONDS", text("SESSION_REFRESH_SKEW_SECONDS"), DEFAULT_SKEW_SECONDS, 0, 3600, problems);
  const graceSeconds = integer("SESSION_REFRESH_GRACE_SECONDS", text("SESSION_REFRESH_GRACE_SECONDS"), DEFAULT_GRACE_SECONDS, 1, MAX_GRACE_SECONDS, problems);
  const sessionMaxAgeSeconds = integer("SESSION_MAX_AGE_SECONDS", text("SESSION_MAX_AGE_SECONDS"), DEFAULT_SESSION_MAX_AGE_SECONDS, 60, 365 * 24 * 3600, problems);

  const unlockedBaseline = text("SESSION_UNLOCKED_BASELINE") === "1";
  if (unlockedBaseline && production && text("SESSION_UNLOCKED_BASELINE_I_UNDERSTAND") !== "1") {
    problems.push(
      "SESSION_UNLOCKED_BASELINE=1 is refused in production: it disables the refresh lock and signs users out under concurrency (the load test sets SESSION_UNLOCKED_BASELINE_I_UNDERSTAND=1 on its own local instances)",
    );
  }

  if (problems.length > 0) {
    throw new SessionError("CONFIG_INVALID", `Invalid settings:\n  - ${problems.join("\n  - ")}`);
  }
  return Object.freeze({
    secrets,
    appUrl,
    secureCookies,
    sessionMaxAgeSeconds,
    backend: Object.freeze({ ...backend, oauth: Object.freeze(oauth) }),
    store: Object.freeze(store),
    refreshSkewMs: skewSeconds * 1000,
    refreshGraceMs: graceSeconds * 1000,
    unlockedBaseline,
  });
}

function readSecrets(current: string | undefined, previousList: string | undefined, production: boolean, problems: string[]): readonly [string, ...string[]] {
  let secret = current;
  if (secret === undefined) {
    if (production) problems.push("NEXTAUTH_SECRET is not set (required in production; e.g. `openssl rand -base64 32`)");
    secret = DEV_SECRET;
  }
  const previous = (previousList ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s !== secret);
  if (production) {
    if (current === DEV_SECRET || previous.includes(DEV_SECRET)) problems.push("NEXTAUTH_SECRET or NEXTAUTH_SECRET_PREVIOUS is the public development secret; generate one with `openssl rand -base64 32`");
    if (current !== undefined && current.length < MIN_SECRET_LENGTH) problems.push(`NEXTAUTH_SECRET is shorter than ${MIN_SECRET_LENGTH} characters`);
    const short = previous.filter((s) => s.length < MIN_SECRET_LENGTH).length;
    if (short > 0) problems.push(`NEXTAUTH_SECRET_PREVIOUS has ${short} secret(s) shorter than ${MIN_SECRET_LENGTH} characters`);
  }
  return Object.freeze([secret, ...previous]) as unknown as readonly [string, ...string[]];
}

function readOAuthClient(text: (name: string) => string | undefined, protocol: BackendProtocol, problems: string[]): OAuthClientSettings {
  const id = text("BACKEND_CLIENT_ID");
  const secret = text("BACKEND_CLIENT_SECRET");
  const explicit = text("BACKEND_CLIENT_AUTH");
  const auth = oneOf("BACKEND_CLIENT_AUTH", explicit, ["basic", "post", "none"] as const, secret !== undefined ? "basic" : "none", problems);
  if (protocol === "oauth2") {
    if ((auth === "basic" || auth === "post") && (id === undefined || secret === undefined)) {
      problems.push(`BACKEND_CLIENT_AUTH=${auth} needs both BACKEND_CLIENT_ID and BACKEND_CLIENT_SECRET`);
    }
    if (auth === "none" && secret !== undefined && explicit !== undefined) {
      problems.push("BACKEND_CLIENT_AUTH=none with a BACKEND_CLIENT_SECRET: a public client sends no secret; unset one of them");
    }
  }
  return { id, secret, auth, scope: text("BACKEND_SCOPE") };
}

function inferredAppUrl(env: Env): string {
  // Like next-auth's getToken: on Vercel the public URL is https even when NEXTAUTH_URL is unset.
  const vercelUrl = env.VERCEL_URL?.trim();
  if (vercelUrl) return `https://${vercelUrl}`;
  return DEFAULT_APP_URL;
}

function url(name: string, value: string, problems: string[]): string {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error("not http(s)");
    return value;
  } catch {
    problems.push(`${name} is not an http(s) URL: ${JSON.stringify(value)}`);
    return value;
  }
}

function path(name: string, value: string, problems: string[]): string {
  if (!value.startsWith("/") || value.startsWith("//")) problems.push(`${name} must be a path starting with one "/": ${JSON.stringify(value)}`);
  return value;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T, problems: string[]): T {
  if (value === undefined) return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`${name} must be one of ${allowed.join(", ")}: ${JSON.stringify(value)}`);
  return fallback;
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number, problems: string[]): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}: ${JSON.stringify(value)}`);
    return fallback;
  }
  return parsed;
}
