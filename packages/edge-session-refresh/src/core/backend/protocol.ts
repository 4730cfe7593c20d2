/**
 * What differs between backend protocols: how sign-in, refresh and revocation requests are written, how a
 * token answer is read, and what a refusal (400/401/403) means. Everything else (transport, timeouts,
 * status classes) is shared in http.ts. Adding a protocol is one more file exporting a
 * BackendProtocolDefinition (its settings, their checks, its adapter) plus one line in protocols.ts.
 */
import type { SettingProblem } from "../setting-problem";
import type { ReadText } from "../setting-values";
import { isJsonObject } from "../support/json";
import type { BackendCall, Refusal } from "./http";
import type { Misconfigured, Rejected } from "./result";
import type { ResponseTime, TokenResponse } from "./token-response";

export type BackendOperation = "login" | "refresh" | "revoke" | "profile";

export interface BackendProtocolAdapter {
  login(identifier: string, password: string): BackendCall;
  refresh(refreshToken: string): BackendCall;
  /** The sign-out revocation request, or undefined when none is configured. */
  revoke(refreshToken: string): BackendCall | undefined;
  parseTokens(body: unknown, time: ResponseTime): TokenResponse;
  /** A 400/401/403: a refusal of the user's credentials or token, or a sign that we are set up wrongly. */
  refusal(refusal: Refusal, operation: BackendOperation): Rejected | Misconfigured;
}

/** What a rotating refresh token means to the backend, as the operator declares it (BACKEND_REFRESH_TOKEN_ROTATION). */
export type RotationPolicy = "rotate" | "none" | "reuse-interval";

/** The backend settings every protocol shares (settings.ts reads them); each protocol adds its own. */
export interface SharedBackendSettings {
  /** BACKEND_URL without trailing slashes: paths are appended to it. */
  readonly baseUrl: string;
  readonly loginPath: string;
  readonly refreshPath: string;
  readonly profilePath: string;
  /**
   * What the backend does with a refresh token once used. Only `rotate` makes an unlocked refresh
   * dangerous, so only then is a lock-store outage answered with 503 instead of a refresh without the lock.
   */
  readonly rotation: RotationPolicy;
  readonly timeoutMs: number;
}

/**
 * One protocol, with its settings declared beside it. parseSettings reads every protocol's own settings
 * (so a bad value is reported whichever protocol is chosen), then asks the chosen one for its problems.
 */
export interface BackendProtocolDefinition<Own extends object = object> {
  /** The environment variables only this protocol reads; they join SETTING_NAMES. */
  readonly settingNames: readonly string[];
  /**
   * Of settingNames, those that mean nothing under another protocol (its sign-out endpoint): set while
   * another protocol is chosen, they are a configuration error rather than silently ignored.
   */
  readonly exclusiveSettings: readonly string[];
  /** Where sign-in and refresh go when BACKEND_LOGIN_PATH / BACKEND_REFRESH_PATH are unset. */
  readonly defaultPaths: { readonly login: string; readonly refresh: string };
  /** This protocol's own part of the backend settings; a bad value adds a SettingProblem to `problems`. */
  read(text: ReadText, problems: SettingProblem[]): Own;
  /** What is wrong with otherwise valid settings when this protocol is the chosen one (a missing credential). */
  problems(settings: SharedBackendSettings & Own, text: ReadText): SettingProblem[];
  /** The adapter the client speaks through. */
  create(settings: SharedBackendSettings & Own): BackendProtocolAdapter;
}

/** Longest backend message we pass on to the login page or a log. */
export const MAX_MESSAGE_LENGTH = 200;

/** The backend's own words for a refusal, if it gave any. */
export function refusalMessage(body: unknown, fields: readonly string[]): string | undefined {
  if (!isJsonObject(body)) return undefined;
  for (const field of fields) {
    const value = body[field];
    if (typeof value === "string" && value.trim()) return value.trim().slice(0, MAX_MESSAGE_LENGTH);
  }
  return undefined;
}
