/**
 * The backend block of the settings: the settings every protocol shares (BACKEND_URL, the paths, the
 * rotation policy, the timeout), then every protocol's own (each declared beside its protocol, read
 * through protocols.ts). The chosen protocol checks the result; a setting that belongs only to another
 * protocol is reported rather than silently ignored.
 */
import type { SettingProblem } from "../setting-problem";
import { baseUrl, integer, oneOf, path, type ReadText } from "../setting-values";
import type { SharedBackendSettings } from "./protocol";
import { BACKEND_PROTOCOL_NAMES, BACKEND_PROTOCOLS, type BackendProtocol, type ProtocolSettings } from "./protocols";

export type { RotationPolicy } from "./protocol";

/** Where the backend is when BACKEND_URL is unset: the reference backend of `npm run dev`. Never in production. */
export const DEFAULT_BACKEND_URL = "http://127.0.0.1:4000";
const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_PROFILE_PATH = "/api/me";

/** The environment variables every protocol shares, then each protocol's own. */
export const BACKEND_SETTING_NAMES: readonly string[] = Object.freeze([
  "BACKEND_URL",
  "BACKEND_PROTOCOL",
  "BACKEND_LOGIN_PATH",
  "BACKEND_REFRESH_PATH",
  "BACKEND_PROFILE_PATH",
  "BACKEND_REFRESH_TOKEN_ROTATION",
  "BACKEND_TIMEOUT_MS",
  ...new Set(Object.values(BACKEND_PROTOCOLS).flatMap((protocol) => protocol.settingNames)),
]);

/** The backend: the settings every protocol shares, plus each protocol's own (protocols.ts). */
export type BackendSettings = SharedBackendSettings &
  ProtocolSettings & {
    readonly protocol: BackendProtocol;
  };

export interface BackendReadOptions {
  /** In production BACKEND_URL has no safe default: unset, it is a problem instead of the local backend. */
  readonly production: boolean;
}

/** The backend block: the shared settings, then every protocol's own; the chosen protocol checks the result. */
export function readBackendSettings(
  text: ReadText,
  problems: SettingProblem[],
  options: BackendReadOptions,
): BackendSettings {
  const protocol = oneOf("BACKEND_PROTOCOL", text("BACKEND_PROTOCOL"), BACKEND_PROTOCOL_NAMES, "json", problems);
  const chosen = BACKEND_PROTOCOLS[protocol];
  const own = Object.assign(
    {},
    ...Object.values(BACKEND_PROTOCOLS).map((definition) => definition.read(text, problems)),
  ) as ProtocolSettings;
  const configuredUrl = text("BACKEND_URL");
  if (configuredUrl === undefined && options.production) {
    problems.push({
      setting: "BACKEND_URL",
      message: `BACKEND_URL is not set (required in production; without it the session would refresh against ${DEFAULT_BACKEND_URL})`,
    });
  }
  const backend: BackendSettings = {
    ...own,
    baseUrl: baseUrl("BACKEND_URL", configuredUrl ?? DEFAULT_BACKEND_URL, problems),
    protocol,
    loginPath: path("BACKEND_LOGIN_PATH", text("BACKEND_LOGIN_PATH") ?? chosen.defaultPaths.login, problems),
    refreshPath: path("BACKEND_REFRESH_PATH", text("BACKEND_REFRESH_PATH") ?? chosen.defaultPaths.refresh, problems),
    profilePath: path("BACKEND_PROFILE_PATH", text("BACKEND_PROFILE_PATH") ?? DEFAULT_PROFILE_PATH, problems),
    rotation: oneOf(
      "BACKEND_REFRESH_TOKEN_ROTATION",
      text("BACKEND_REFRESH_TOKEN_ROTATION"),
      ["rotate", "none", "reuse-interval"] as const,
      "rotate",
      problems,
    ),
    timeoutMs: integer("BACKEND_TIMEOUT_MS", text("BACKEND_TIMEOUT_MS"), DEFAULT_TIMEOUT_MS, 100, 120_000, problems),
  };
  for (const [name, definition] of Object.entries(BACKEND_PROTOCOLS)) {
    if (name === protocol) continue;
    for (const setting of definition.exclusiveSettings) {
      if (text(setting) === undefined) continue;
      const instead =
        chosen.exclusiveSettings.length > 0
          ? `; BACKEND_PROTOCOL=${protocol} uses ${chosen.exclusiveSettings.join(", ")}`
          : "";
      problems.push({ setting, message: `${setting} is for BACKEND_PROTOCOL=${name}${instead}` });
    }
  }
  problems.push(...chosen.problems(backend, text));
  return backend;
}
