/**
 * The JSON protocol (the default): sign-in POSTs `{<username field>, <password field>}`, refresh POSTs
 * `{<refresh field>: refreshToken}`, sign-out optionally POSTs the same to BACKEND_LOGOUT_PATH. Every
 * 400/401/403 is a refusal, with the backend's message when it gave one.
 */
import type { BackendSettings } from "../settings";
import type { BackendProtocolAdapter } from "./protocol";
import { refusalMessage } from "./protocol";
import { parseTokenResponse } from "./token-response";

const MESSAGE_FIELDS = ["message", "error_description", "detail", "error"] as const;

export function jsonProtocol(settings: BackendSettings): BackendProtocolAdapter {
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
      post(settings.loginPath, "BACKEND_LOGIN_PATH", { [settings.usernameField]: identifier, [settings.passwordField]: password }),
    refresh: (refreshToken) => post(settings.refreshPath, "BACKEND_REFRESH_PATH", { [settings.refreshTokenField]: refreshToken }),
    revoke: (refreshToken) =>
      settings.logoutPath === undefined ? undefined : post(settings.logoutPath, "BACKEND_LOGOUT_PATH", { [settings.refreshTokenField]: refreshToken }),
    parseTokens: parseTokenResponse,
    refusal: ({ status, body }) => ({ kind: "rejected", status, message: refusalMessage(body, MESSAGE_FIELDS) }),
  };
}
