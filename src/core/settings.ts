/**
 * Settings: parsed once from an environment-like record, validated, frozen. Every missing or bad value is
 * reported in one SessionError("CONFIG_INVALID") so an operator fixes them all in one go. The core never
 * reads process.env itself; the caller passes the record in.
 */
import { SessionError } from "./errors";

/** A fixed secret for local development only: `npm run dev` and NODE_ENV=development/test fall back to it. */
export const DEV_SECRET = "dev-only-secret-do-not-use-in-production-0123456789";
const DEFAULT_APP_URL = "http://localhost:3000";
const DEFAULT_BACKEND_URL = "http://127.0.0.1:4000";
const DEFAULT_SKEW_SECONDS = 30;
const DEFAULT_GRACE_SECONDS = 30;
const DEFAULT_TIMEOUT_MS = 5000;
/** next-auth v4's default session lifetime. */
const DEFAULT_SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** A secret shorter than this is refused outside development: HKDF input should carry real entropy. */
const MIN_SECRET_LENGTH = 16;

export type Env = Readonly<Record<string, string | undefined>>;

export interface BackendSettings {
  readonly baseUrl: string;
  readonly loginPath: string;
  readonly refreshPath: string;
  readonly profilePath: string;
  readonly usernameField: string;
  readonly passwordField: string;
  readonly refreshTokenField: string;
  readonly timeoutMs: number;
}

export type StoreSettings =
  | { readonly kind: "memory" }
  | { readonly kind: "upstash"; readonly url: string; readonly token: string };

export interface Settings {
  /** Current secret first, then previous ones still accepted for reading. */
  readonly secrets: readonly [string, ...string[]];
  readonly usingDevSecret: boolean;
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
  /** Typically process.env.NODE_ENV. "production" makes NEXTAUTH_SECRET mandatory. */
  readonly nodeEnv?: string;
}

export function parseSettings(env: Env, options: ParseOptions = {}): Settings {
  const problems: string[] = [];
  const production = options.nodeEnv === "production";
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };

  let secret = text("NEXTAUTH_SECRET");
  let usingDevSecret = false;
  if (secret === undefined) {
    if (production) {
      problems.push("NEXTAUTH_SECRET is not set (required in production; e.g. `openssl rand -base64 32`)");
    }
    secret = DEV_SECRET;
    usingDevSecret = true;
  } else if (production && secret.length < MIN_SECRET_LENGTH) {
    problems.push(`NEXTAUTH_SECRET is shorter than ${MIN_SECRET_LENGTH} characters`);
  }
  const previous = (text("NEXTAUTH_SECRET_PREVIOUS") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s !== secret);

  const appUrl = url("NEXTAUTH_URL", text("NEXTAUTH_URL") ?? inferredAppUrl(env), problems);
  const secureCookies = appUrl.startsWith("https://");

  const backend: BackendSettings = {
    baseUrl: url("BACKEND_URL", text("BACKEND_URL") ?? DEFAULT_BACKEND_URL, problems).replace(/\/+$/, ""),
    loginPath: path("BACKEND_LOGIN_PATH", text("BACKEND_LOGIN_PATH") ?? "/api/auth", problems),
    refreshPath: path("BACKEND_REFRESH_PATH", text("BACKEND_REFRESH_PATH") ?? "/api/auth/refresh-token", problems),
    profilePath: path("BACKEND_PROFILE_PATH", text("BACKEND_PROFILE_PATH") ?? "/api/me", problems),
    usernameField: text("BACKEND_LOGIN_USERNAME_FIELD") ?? "email",
    passwordField: text("BACKEND_LOGIN_PASSWORD_FIELD") ?? "password",
    refreshTokenField: text("BACKEND_REFRESH_TOKEN_FIELD") ?? "refreshToken",
    timeoutMs: integer("BACKEND_TIMEOUT_MS", text("BACKEND_TIMEOUT_MS"), DEFAULT_TIMEOUT_MS, 100, 120_000, problems),
  };

  const storeUrl = text("UPSTASH_REDIS_REST_URL") ?? text("KV_REST_API_URL");
  const storeToken = text("UPSTASH_REDIS_REST_TOKEN") ?? text("KV_REST_API_TOKEN");
  let store: StoreSettings = { kind: "memory" };
  if (storeUrl !== undefined || storeToken !== undefined) {
    if (storeUrl === undefined) problems.push("UPSTASH_REDIS_REST_TOKEN is set but UPSTASH_REDIS_REST_URL is not");
    else if (storeToken === undefined) problems.push("UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not");
    else store = { kind: "upstash", url: url("UPSTASH_REDIS_REST_URL", storeUrl, problems), token: storeToken };
  }
  // On Vercel every request may land on another instance: the in-memory store would let each refresh the
  // same token, and a rotating backend revokes the family. `vercel dev` (VERCEL_ENV=development) is exempt.
  if (env.VERCEL === "1" && env.VERCEL_ENV !== "development" && storeUrl === undefined && storeToken === undefined) {
    problems.push(
      "no lock store on Vercel: connect Upstash Redis (its integration sets KV_REST_API_URL and KV_REST_API_TOKEN) or set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN; the in-memory store cannot coordinate refreshes between instances",
    );
  }

  const skewSeconds = integer("SESSION_REFRESH_SKEW_SECONDS", text("SESSION_REFRESH_SKEW_SECONDS"), DEFAULT_SKEW_SECONDS, 0, 3600, problems);
  const graceSeconds = integer("SESSION_REFRESH_GRACE_SECONDS", text("SESSION_REFRESH_GRACE_SECONDS"), DEFAULT_GRACE_SECONDS, 1, 3600, problems);
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
    secrets: Object.freeze([secret, ...previous]) as unknown as readonly [string, ...string[]],
    usingDevSecret,
    appUrl,
    secureCookies,
    sessionMaxAgeSeconds,
    backend: Object.freeze(backend),
    store: Object.freeze(store),
    refreshSkewMs: skewSeconds * 1000,
    refreshGraceMs: graceSeconds * 1000,
    unlockedBaseline,
  });
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
  if (!value.startsWith("/")) problems.push(`${name} must start with "/": ${JSON.stringify(value)}`);
  return value;
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
