/**
 * Settings: parsed once from an environment-like record, validated, frozen. Every missing or bad value is
 * reported in one SessionError("CONFIG_INVALID"), whose `problems` name each setting, so an operator fixes
 * them all in one go. Each block lives with its concept (backend/settings.ts, signin/settings.ts, …); this
 * file reads the session's own settings and assembles the rest. The core never
 * reads process.env itself; the caller passes the record in. docs/CONFIGURATION.md ("Every setting") lists every name.
 */
import { BACKEND_SETTING_NAMES, readBackendSettings, type BackendSettings } from "./backend/settings";
import { BACKEND_PROXY_SETTING_NAMES, readBackendProxySettings, type BackendProxySettings } from "./proxy/settings";
import { configInvalid, type SessionError } from "./errors";
import type { SettingProblem } from "./setting-problem";
import { parseSignInSettings, SIGNIN_SETTING_NAMES, type SignInSettings } from "./signin/settings";
import { integer, textReader, url, type Env } from "./setting-values";
import type { StoreSettings } from "../stores/settings";
import { parseStoreSettings, STORE_SETTING_NAMES } from "../stores/table";

/** A fixed secret for local development only: `npm run dev` and NODE_ENV=development/test fall back to it. */
export const DEV_SECRET = "dev-only-secret-do-not-use-in-production-0123456789";
const DEFAULT_APP_URL = "http://localhost:3000";
const DEFAULT_SKEW_SECONDS = 30;
const DEFAULT_GRACE_SECONDS = 30;
/**
 * The grace window's ceiling: a rotated-away refresh token leads to its successor this long at most. A
 * copied cookie is worth that much more to a thief after its owner refreshed (SECURITY.md), so it is short.
 */
const MAX_GRACE_SECONDS = 300;
/** next-auth v4's default session lifetime (also the test helper's, src/testing/session-cookie.ts). */
export const DEFAULT_SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** Shorter secrets are refused in production, current and previous alike: `openssl rand -base64 32` gives 44. */
export const MIN_SECRET_LENGTH = 32;

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
  ...BACKEND_SETTING_NAMES,
  ...STORE_SETTING_NAMES,
  "SESSION_REFRESH_SKEW_SECONDS",
  "SESSION_REFRESH_GRACE_SECONDS",
  "SESSION_MAX_AGE_SECONDS",
  "SESSION_UNLOCKED_BASELINE",
  "SESSION_UNLOCKED_BASELINE_I_UNDERSTAND",
  "SESSION_STORE_ANNOUNCED",
  ...SIGNIN_SETTING_NAMES,
  ...BACKEND_PROXY_SETTING_NAMES,
]);
/** The parsed, validated and frozen settings (parseSettings): what the runtime and the adapters read. */
export interface Settings {
  /** Current secret first, then previous ones still accepted for reading. */
  readonly secrets: readonly [string, ...string[]];
  readonly appUrl: string;
  readonly secureCookies: boolean;
  readonly sessionMaxAgeSeconds: number;
  readonly backend: BackendSettings;
  /** The backend proxy for client code (core/proxy/backend-proxy.ts). */
  readonly backendProxy: BackendProxySettings;
  readonly store: StoreSettings;
  readonly refreshSkewMs: number;
  readonly refreshGraceMs: number;
  /**
   * The unlocked "refresh inside the jwt callback" recipe, kept only as the load test's baseline.
   * Off by default and refused when NODE_ENV=production unless the load test's explicit opt-in is set.
   */
  readonly unlockedBaseline: boolean;
  /**
   * SESSION_STORE_ANNOUNCED=1: a parent process (`npm run dev`) already said which lock store runs, so
   * the runtime does not say it again in each isolate.
   */
  readonly storeAnnounced: boolean;
  /** Sign-in limits and the person's address (signin/settings.ts). */
  readonly signIn: SignInSettings;
}

export interface ParseOptions {
  /**
   * Typically process.env.NODE_ENV. "production" makes the settings without a safe default mandatory
   * (NEXTAUTH_SECRET, strong and not the development one; BACKEND_URL) and refuses the unlocked baseline.
   */
  readonly nodeEnv?: string;
}

/**
 * Every setting read from `env` and checked at once: the frozen Settings, or one SessionError("CONFIG_INVALID")
 * naming every missing or bad setting (docs/CONFIGURATION.md lists them).
 */
export function parseSettings(env: Env, options: ParseOptions = {}): Settings {
  const { settings, storeError } = parseSettingsStoreApart(env, options);
  if (storeError !== undefined) throw storeError;
  return settings;
}

/** What parseSettingsStoreApart returns: settings that work but for the lock store, and the store's error. */
export interface SettingsStoreApart {
  /** Every setting; when `storeError` is set, `store` is a placeholder (the in-memory store) never to build. */
  readonly settings: Settings;
  /** The lock store's problems (SessionError "CONFIG_INVALID"), when its settings are the only bad ones. */
  readonly storeError: SessionError | undefined;
}

/**
 * Like parseSettings, but a problem that is only the lock store's (two stores without SESSION_LOCK_STORE, a
 * half-set Upstash pair) comes back as `storeError` instead of being thrown: next-auth's routes that need no
 * store (csrf, providers, a signed-out session) and requests without a session stay up, and only what needs
 * the store (a refresh, a sign-in's limits) answers the configuration error (src/next/runtime.ts). Any other
 * problem is thrown with the store's, in one error, as parseSettings does.
 */
export function parseSettingsStoreApart(env: Env, options: ParseOptions = {}): SettingsStoreApart {
  const problems: SettingProblem[] = [];
  const storeProblems: SettingProblem[] = [];
  const production = options.nodeEnv === "production";
  const text = textReader(env);

  const secrets = readSecrets(text("NEXTAUTH_SECRET"), text("NEXTAUTH_SECRET_PREVIOUS"), production, problems);

  const appUrl = url("NEXTAUTH_URL", text("NEXTAUTH_URL") ?? inferredAppUrl(env), problems);
  const secureCookies = appUrl.startsWith("https://");

  const backend = readBackendSettings(text, problems, { production });
  const backendProxy = readBackendProxySettings(env, text, backend, problems);

  const storeProblemsAt = problems.length; // reported in the order the settings are read
  const parsedStore = parseStoreSettings(text, storeProblems);
  const store: StoreSettings = storeProblems.length > 0 ? { kind: "memory" } : parsedStore;

  const skewSeconds = integer(
    "SESSION_REFRESH_SKEW_SECONDS",
    text("SESSION_REFRESH_SKEW_SECONDS"),
    DEFAULT_SKEW_SECONDS,
    0,
    3600,
    problems,
  );
  const graceSeconds = integer(
    "SESSION_REFRESH_GRACE_SECONDS",
    text("SESSION_REFRESH_GRACE_SECONDS"),
    DEFAULT_GRACE_SECONDS,
    1,
    MAX_GRACE_SECONDS,
    problems,
  );
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
    problems.push({
      setting: "SESSION_UNLOCKED_BASELINE",
      message:
        "SESSION_UNLOCKED_BASELINE=1 is refused in production: it disables the refresh lock and signs users out under concurrency (the load test sets SESSION_UNLOCKED_BASELINE_I_UNDERSTAND=1 on its own local instances)",
    });
  }
  const announced = text("SESSION_STORE_ANNOUNCED");
  if (announced !== undefined && announced !== "0" && announced !== "1") {
    problems.push({
      setting: "SESSION_STORE_ANNOUNCED",
      message: `SESSION_STORE_ANNOUNCED must be 0 or 1: ${JSON.stringify(announced)}`,
    });
  }

  const signIn = parseSignInSettings(text, env, problems);

  if (problems.length > 0) {
    throw configInvalid([...problems.slice(0, storeProblemsAt), ...storeProblems, ...problems.slice(storeProblemsAt)]);
  }
  const storeError = storeProblems.length > 0 ? configInvalid(storeProblems) : undefined;
  const settings: Settings = Object.freeze({
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
    storeAnnounced: announced === "1",
    signIn,
  });
  return { settings, storeError };
}

function readSecrets(
  current: string | undefined,
  previousList: string | undefined,
  production: boolean,
  problems: SettingProblem[],
): readonly [string, ...string[]] {
  let secret = current;
  if (secret === undefined) {
    if (production)
      problems.push({
        setting: "NEXTAUTH_SECRET",
        message: "NEXTAUTH_SECRET is not set (required in production; e.g. `openssl rand -base64 32`)",
      });
    secret = DEV_SECRET;
  }
  const previous = (previousList ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && s !== secret);
  if (production) {
    const development = "is the public development secret; generate one with `openssl rand -base64 32`";
    if (current === DEV_SECRET)
      problems.push({ setting: "NEXTAUTH_SECRET", message: `NEXTAUTH_SECRET ${development}` });
    if (previous.includes(DEV_SECRET))
      problems.push({ setting: "NEXTAUTH_SECRET_PREVIOUS", message: `NEXTAUTH_SECRET_PREVIOUS ${development}` });
    if (current !== undefined && current.length < MIN_SECRET_LENGTH)
      problems.push({
        setting: "NEXTAUTH_SECRET",
        message: `NEXTAUTH_SECRET is shorter than ${MIN_SECRET_LENGTH} characters`,
      });
    const short = previous.filter((s) => s.length < MIN_SECRET_LENGTH).length;
    if (short > 0)
      problems.push({
        setting: "NEXTAUTH_SECRET_PREVIOUS",
        message: `NEXTAUTH_SECRET_PREVIOUS has ${short} secret(s) shorter than ${MIN_SECRET_LENGTH} characters`,
      });
  }
  return Object.freeze([secret, ...previous]) as unknown as readonly [string, ...string[]];
}

function inferredAppUrl(env: Env): string {
  // Like next-auth's getToken: on Vercel the public URL is https even when NEXTAUTH_URL is unset.
  const vercelUrl = env.VERCEL_URL?.trim();
  if (vercelUrl) return `https://${vercelUrl}`;
  return DEFAULT_APP_URL;
}
