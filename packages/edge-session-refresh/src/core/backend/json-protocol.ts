/**
 * The JSON protocol (the default): sign-in POSTs `{<username field>, <password field>}`, refresh POSTs
 * `{<refresh field>: refreshToken}`, sign-out optionally POSTs the same to BACKEND_LOGOUT_PATH. Every
 * 400/401/403 is a refusal, with the backend's message when it gave one.
 */
import { optionalPath } from "../setting-values";
import type { BackendProtocolAdapter, BackendProtocolDefinition, SharedBackendSettings } from "./protocol";
import { refusalMessage } from "./protocol";
import { parseTokenResponse } from "./token-response";

const MESSAGE_FIELDS = ["message", "error_description", "detail", "error"] as const;

/** The JSON protocol's own settings (docs/CONFIGURATION.md, "Every setting"). */
export interface JsonProtocolSettings {
  readonly usernameField: string;
  readonly passwordField: string;
  readonly refreshTokenField: string;
  /** POSTed `{<refresh field>: refreshToken}` on sign-out. */
  readonly logoutPath: string | undefined;
}

export const JSON_PROTOCOL: BackendProtocolDefinition<JsonProtocolSettings> = {
  settingNames: [
    "BACKEND_LOGIN_USERNAME_FIELD",
    "BACKEND_LOGIN_PASSWORD_FIELD",
    "BACKEND_REFRESH_TOKEN_FIELD",
    "BACKEND_LOGOUT_PATH",
  ],
  exclusiveSettings: ["BACKEND_LOGOUT_PATH"],
  defaultPaths: { login: "/api/auth", refresh: "/api/auth/refresh-token" },
  read: (text, problems) => ({
    usernameField: text("BACKEND_LOGIN_USERNAME_FIELD") ?? "email",
    passwordField: text("BACKEND_LOGIN_PASSWORD_FIELD") ?? "password",
    refreshTokenField: text("BACKEND_REFRESH_TOKEN_FIELD") ?? "refreshToken",
    logoutPath: optionalPath("BACKEND_LOGOUT_PATH", text("BACKEND_LOGOUT_PATH"), problems),
  }),
  problems: () => [],
  create: (settings) => jsonProtocol(settings),
};

export function jsonProtocol(settings: SharedBackendSettings & JsonProtocolSettings): BackendProtocolAdapter {
  const post = (path: string, pathSetting: string, body: Record<string, string>) => ({
    path,
    pathSetting,
    init: {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    },
  });
  return {
    login: (identifier, password) =>
      post(settings.loginPath, "BACKEND_LOGIN_PATH", {
        [settings.usernameField]: identifier,
        [settings.passwordField]: password,
      }),
    refresh: (refreshToken) =>
      post(settings.refreshPath, "BACKEND_REFRESH_PATH", { [settings.refreshTokenField]: refreshToken }),
    revoke: (refreshToken) =>
      settings.logoutPath === undefined
        ? undefined
        : post(settings.logoutPath, "BACKEND_LOGOUT_PATH", { [settings.refreshTokenField]: refreshToken }),
    parseTokens: parseTokenResponse,
    refusal: ({ status, body }) => ({ kind: "rejected", status, message: refusalMessage(body, MESSAGE_FIELDS) }),
  };
}
