/**
 * Settings: parsed once from an environment-like record, validated, frozen. Every missing or bad value is
 * reported in one SessionError("CONFIG_INVALID") so an operator fixes them all in one go. The core never
 * reads process.env itself; the caller passes the record in. docs/CONFIGURATION.md ("Every setting") lists every name.
 */
import { BACKEND_PROTOCOL_NAMES, BACKEND_PROTOCOLS, type BackendProtocol, type ProtocolSettings } from "./backend/protocols";
import { BACKEND_PROXY_SETTING_NAMES, readBackendProxySettings, type BackendProxySettings } from "./backend-proxy-settings";
import { SessionError } from "./errors";
import { parseSignInSettings, SIGNIN_SETTING_NAMES, type SignInSettings } from "./signin/settings";
import { baseUrl, integer, oneOf, path, textReader, url, type Env, type ReadText } from "./setting-values";
import type { SettingProblem } from "./setting-problem";
import type { StoreSettings } from "../stores/settings";
import { parseStoreSettings, STORE_SETTING_NAMES } from "../stores/table";

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
/** next-auth v4's default session lifetime (also the test helper's, src/testing/session-cookie.ts). */
export const DEFAULT_SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** Shorter secrets are refused in production, current and previous alike: `openssl rand -base64 32` gives 44. */
export const MIN_SECRET_LENGTH = 32;

export type { Env } from "./setting-values";
export type { BackendProtocol } from "./backend/protocols";
export type { BackendProxySettings } from "./backend-proxy-settings";
export type { ClientAuthMethod, OAuthClientSettings } from "./backend/oauth2-protocol";

/**
 * Every environment variable parseSettings reads (docs/CONFIGURATION.md, "Every setting"), for runtimes that bind them one
 * by one: the ones below, each lock store's own (src/stores/table.ts), each backend protocol's own (declared beside it) and the backend proxy's.
 */
export const SETTING_NAMES: readonly string[] = Object.freeze([
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
  "BACKEND_REFRESH_TOKEN_ROTATION",
  "BACKEND_TIMEOUT_MS",
  ...STORE_SETTING_NAMES,
  "SESSION_REFRESH_SKEW_SECONDS",
  "SESSION_REFRESH_GRACE_SECONDS",
  "SESSION_MAX_AGE_SECONDS",
  "SESSION_UNLOCKED_BASELINE",
  "SESSION_UNLOCKED_BASELINE_I_UNDERSTAND",
  ...SIGNIN_SETTING_NAMES,
  ...new Set(Object.values(BACKEND_PROTOCOLS).flatMap((protocol) => protocol.settingNames)),
  ...BACKEND_PROXY_SETTING_NAMES,
]);
/**
 * What the backend does with a refresh token once used, as the operator declares it. Only `rotate` makes
 * an unlocked refresh dangerous, so only then is a lock-store outage answered with 503 instead of a
 * refresh without the lock.
 */
export type RotationPolicy = "rotate" | "none" | "reuse-interval";

/** The backend: the settings every protocol shares, plus each protocol's own (backend/protocols.ts). */
export type BackendSettings = ProtocolSettings & {
  /** BACKEND_URL without trailing slashes: paths are appended to it. */
  readonly baseUrl: string;
  readonly protocol: BackendProtocol;
  readonly loginPath: string;
  readonly refreshPath: string;
  readonly profilePath: string;
  readonly rotation: RotationPolicy;
  readonly timeoutMs: number;
};

export type { StoreKind, StoreSettings } from "../stores/settings";

export interface Settings {
  /** Current secret first, then previous ones still accepted for reading. */
  readonly secrets: readonly [string, ...string[]];
  readonly appUrl: string;
  readonly secureCookies: boolean;
  readonly sessionMaxAgeSeconds: number;
  readonly backend: BackendSettings;
  /** The backend proxy for client code (src/next/backend-proxy.ts). */
  readonly backendProxy: BackendProxySettings;
  readonly store: StoreSettings;
  readonly refreshSkewMs: number;
  readonly refreshGraceMs: number;
  /**
   * The unlocked "refresh inside the jwt callback" recipe, kept only as the load test's baseline.
   * Off by default and refused when NODE_ENV=production unless the load test's explicit opt-in is set.
   */
  readonly unlockedBaseline: boolean;
  /** Sign-in limits and the person's address (signin/settings.ts). */
  readonly signIn: SignInSettings;
}

export interface ParseOptions {
  /** Typically process.env.NODE_ENV. "production" makes NEXTAUTH_SECRET mandatory and strict. */
  readonly nodeEnv?: string;
}

export function parseSettings(env: Env, options: ParseOptions = {}): Settings {
  const problems: string[] = [];
  const production = options.nodeEnv === "production";
  const text = textReader(env);

  const secrets = readSecrets(text("NEXTAUTH_SECRET"), text("NEXTAUTH_SECRET_PREVIOUS"), production, problems);

  const appUrl = url("NEXTAUTH_URL", text("NEXTAUTH_URL") ?? inferredAppUrl(env), problems);
  const secureCookies = appUrl.startsWith("https://");

  const backend = readBackendSettings(text, problems);
  const backendProxy = readBackendProxySettings(env, text, backend, problems);

  const storeProblems: SettingProblem[] = [];
  const store = parseStoreSettings(text, storeProblems);
  problems.push(...storeProblems.map((p) => p.message));

  const skewSeconds = integer("SESSION_REFRESH_SKEW_SECONDS", text("SESSION_REFRESH_SKEW_SECONDS"), DEFAULT_SKEW_SECONDS, 0, 3600, problems);
  const graceSeconds = integer("SESSION_REFRESH_GRACE_SECONDS", text("SESSION_REFRESH_GRACE_SECONDS"), DEFAULT_GRACE_SECONDS, 1, MAX_GRACE_SECONDS, problems);
  const sessionMaxAgeSeconds = integer(
    "SESSION_MAX_AGE_SECONDS",
    text("SESSION_MAX_AGE_SECONDS"),
    DEFAULT_SESSION_MAX_AGE_SECONDS,
    60,
    365 * 24 * 3600,
    problems,
  );

  const unlockedBaseline = text("SESSION_UNLOCKED_BASELINE") === "1";
  if (unlockedBaseline && production && text("SESSION_UNLOCKED_BASELINE_I_UNDERSTAND") !== "1") {
    problems.push(
      "SESSION_UNLOCKED_BASELINE=1 is refused in production: it disables the refresh lock and signs users out under concurrency (the load test sets SESSION_UNLOCKED_BASELINE_I_UNDERSTAND=1 on its own local instances)",
    );
  }

  const signIn = parseSignInSettings(text, env, problems);

  if (problems.length > 0) {
    throw new SessionError("CONFIG_INVALID", `Invalid settings:\n  - ${problems.join("\n  - ")}`);
  }
  return Object.freeze({
    secrets,
    appUrl,
    secureCookies,
    sessionMaxAgeSeconds,
    backend: Object.freeze({ ...backend, oauth: Object.freeze(backend.oauth) }),
    backendProxy: Object.freeze(backendProxy),
    store: Object.freeze(store),
    refreshSkewMs: skewSeconds * 1000,
    refreshGraceMs: graceSeconds * 1000,
    unlockedBaseline,
    signIn,
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
    if (current === DEV_SECRET || previous.includes(DEV_SECRET))
      problems.push("NEXTAUTH_SECRET or NEXTAUTH_SECRET_PREVIOUS is the public development secret; generate one with `openssl rand -base64 32`");
    if (current !== undefined && current.length < MIN_SECRET_LENGTH) problems.push(`NEXTAUTH_SECRET is shorter than ${MIN_SECRET_LENGTH} characters`);
    const short = previous.filter((s) => s.length < MIN_SECRET_LENGTH).length;
    if (short > 0) problems.push(`NEXTAUTH_SECRET_PREVIOUS has ${short} secret(s) shorter than ${MIN_SECRET_LENGTH} characters`);
  }
  return Object.freeze([secret, ...previous]) as unknown as readonly [string, ...string[]];
}

/** The backend block: the shared settings, then every protocol's own; the chosen protocol checks the result. */
function readBackendSettings(text: ReadText, problems: string[]): BackendSettings {
  const protocol = oneOf("BACKEND_PROTOCOL", text("BACKEND_PROTOCOL"), BACKEND_PROTOCOL_NAMES, "json", problems);
  const { defaultPaths } = BACKEND_PROTOCOLS[protocol];
  const own = Object.assign({}, ...Object.values(BACKEND_PROTOCOLS).map((definition) => definition.read(text, problems))) as ProtocolSettings;
  const backend: BackendSettings = {
    ...own,
    baseUrl: baseUrl("BACKEND_URL", text("BACKEND_URL") ?? DEFAULT_BACKEND_URL, problems),
    protocol,
    loginPath: path("BACKEND_LOGIN_PATH", text("BACKEND_LOGIN_PATH") ?? defaultPaths.login, problems),
    refreshPath: path("BACKEND_REFRESH_PATH", text("BACKEND_REFRESH_PATH") ?? defaultPaths.refresh, problems),
    profilePath: path("BACKEND_PROFILE_PATH", text("BACKEND_PROFILE_PATH") ?? "/api/me", problems),
    rotation: oneOf(
      "BACKEND_REFRESH_TOKEN_ROTATION",
      text("BACKEND_REFRESH_TOKEN_ROTATION"),
      ["rotate", "none", "reuse-interval"] as const,
      "rotate",
      problems,
    ),
    timeoutMs: integer("BACKEND_TIMEOUT_MS", text("BACKEND_TIMEOUT_MS"), DEFAULT_TIMEOUT_MS, 100, 120_000, problems),
  };
  problems.push(...BACKEND_PROTOCOLS[protocol].problems(backend, text));
  return backend;
}

function inferredAppUrl(env: Env): string {
  // Like next-auth's getToken: on Vercel the public URL is https even when NEXTAUTH_URL is unset.
  const vercelUrl = env.VERCEL_URL?.trim();
  if (vercelUrl) return `https://${vercelUrl}`;
  return DEFAULT_APP_URL;
}
