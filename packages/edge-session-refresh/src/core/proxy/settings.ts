/**
 * The backend proxy's settings (`/api/backend/<path>` → BACKEND_URL/<path>, core/proxy/backend-proxy.ts), one
 * block of parseSettings: read and checked with every other setting, so a bad one is in the same
 * CONFIG_INVALID message at the first request.
 */
import type { SettingProblem } from "../setting-problem";
import type { Env, ReadText } from "../setting-values";

const DEFAULT_ALLOW: readonly string[] = ["/api/"];
const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;

export const BACKEND_PROXY_SETTING_NAMES = [
  "BACKEND_PROXY_ALLOW",
  "BACKEND_PROXY_MAX_REQUEST_BYTES",
  "BACKEND_PROXY_MAX_RESPONSE_BYTES",
] as const;

export interface BackendProxySettings {
  /** Backend path prefixes that may be proxied (BACKEND_PROXY_ALLOW); a prefix ending in "/" matches anything under it. */
  readonly allow: readonly string[];
  /**
   * Backend paths never proxied, whatever the allow-list says: sign-in, refresh, and every other
   * BACKEND_*_PATH but the profile (a logout or token path of your backend). A client that could reach
   * them could mint or revoke tokens.
   */
  readonly deniedPaths: readonly string[];
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
}

/** The backend's auth paths as the backend settings name them (the proxy must never reach them). */
export interface BackendAuthPaths {
  readonly loginPath: string;
  readonly refreshPath: string;
}

export function readBackendProxySettings(
  env: Env,
  text: ReadText,
  backend: BackendAuthPaths,
  problems: SettingProblem[],
): BackendProxySettings {
  const allowText = text("BACKEND_PROXY_ALLOW");
  const allow = allowText
    ? allowText
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry.length > 0)
    : DEFAULT_ALLOW;
  for (const prefix of allow) {
    if (!prefix.startsWith("/") || prefix.includes("..") || prefix.includes("\\")) {
      problems.push({
        setting: "BACKEND_PROXY_ALLOW",
        message: `BACKEND_PROXY_ALLOW entries must be paths starting with "/": ${JSON.stringify(prefix)}`,
      });
    }
  }
  // Every BACKEND_*_PATH in the environment, declared settings or not, so an adopter's own token path is
  // kept out too; the profile is what the proxy is for.
  const denied = new Set([backend.loginPath, backend.refreshPath]);
  for (const [name, value] of Object.entries(env)) {
    if (/^BACKEND_[A-Z0-9_]*_PATH$/.test(name) && name !== "BACKEND_PROFILE_PATH" && value?.trim().startsWith("/"))
      denied.add(value.trim());
  }
  return {
    allow: Object.freeze([...allow]),
    deniedPaths: Object.freeze([...denied]),
    maxRequestBytes: byteSize(
      "BACKEND_PROXY_MAX_REQUEST_BYTES",
      text("BACKEND_PROXY_MAX_REQUEST_BYTES"),
      DEFAULT_MAX_REQUEST_BYTES,
      problems,
    ),
    maxResponseBytes: byteSize(
      "BACKEND_PROXY_MAX_RESPONSE_BYTES",
      text("BACKEND_PROXY_MAX_RESPONSE_BYTES"),
      DEFAULT_MAX_RESPONSE_BYTES,
      problems,
    ),
  };
}

function byteSize(name: string, value: string | undefined, fallback: number, problems: SettingProblem[]): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_BYTES) {
    problems.push({
      setting: name,
      message: `${name} must be a whole number of bytes from 1 to ${MAX_BYTES}: ${JSON.stringify(value)}`,
    });
    return fallback;
  }
  return parsed;
}
