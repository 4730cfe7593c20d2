/**
 * The oauth2 protocol: an RFC 6749 token endpoint. Form-encoded bodies; sign-in is the §4.3 password grant,
 * refresh the §6 refresh grant, sign-out an RFC 7009 revocation. Client authentication per §2.3.1: HTTP
 * Basic with the form-encoded id and secret (client_secret_basic), both in the body (client_secret_post),
 * or a public client's client_id alone. §5.2 error codes decide what a refusal means: only `invalid_grant`
 * is the user's (wrong password, dead refresh token); the others say the app is set up wrongly and must
 * never sign anyone out.
 */
import type { SettingProblem } from "../setting-problem";
import { oneOf, optionalPath, type ReadText } from "../setting-values";
import { isJsonObject } from "../support/json";
import type { BackendCall } from "./http";
import type { BackendProtocolAdapter, BackendProtocolDefinition, SharedBackendSettings } from "./protocol";
import { refusalMessage } from "./protocol";
import { parseOAuthTokenResponse } from "./token-response";

/** §5.2 codes that mean our client registration or request is wrong, with the setting to look at. */
const MISCONFIGURATION_CODES: Readonly<Record<string, string>> = {
  invalid_client: "BACKEND_CLIENT_ID / BACKEND_CLIENT_SECRET / BACKEND_CLIENT_AUTH",
  unauthorized_client: "the client's allowed grants on the authorization server (BACKEND_CLIENT_ID)",
  unsupported_grant_type: "the client's allowed grants on the authorization server (password and refresh_token)",
  invalid_scope: "BACKEND_SCOPE",
  invalid_request: "BACKEND_PROTOCOL / BACKEND_CLIENT_AUTH (the server could not read our request)",
};
const REFUSAL_CODE = "invalid_grant";
const FORM_CONTENT_TYPE = "application/x-www-form-urlencoded;charset=UTF-8";
/** The RFC 6749 token endpoint path most servers use, the default for sign-in and refresh. */
const DEFAULT_TOKEN_PATH = "/oauth/token";

/** RFC 6749 §2.3.1 client authentication: HTTP Basic, credentials in the body, or a public client. */
export type ClientAuthMethod = "basic" | "post" | "none";

export interface OAuthClientSettings {
  readonly id: string | undefined;
  readonly secret: string | undefined;
  readonly auth: ClientAuthMethod;
  readonly scope: string | undefined;
}

/** The oauth2 protocol's own settings (docs/CONFIGURATION.md, "Every setting"). */
export interface OAuth2ProtocolSettings {
  readonly oauth: OAuthClientSettings;
  /** RFC 7009 revocation endpoint, called on sign-out. */
  readonly revocationPath: string | undefined;
}

export const OAUTH2_PROTOCOL: BackendProtocolDefinition<OAuth2ProtocolSettings> = {
  settingNames: [
    "BACKEND_CLIENT_ID",
    "BACKEND_CLIENT_SECRET",
    "BACKEND_CLIENT_AUTH",
    "BACKEND_SCOPE",
    "BACKEND_REVOCATION_PATH",
  ],
  exclusiveSettings: ["BACKEND_REVOCATION_PATH"],
  defaultPaths: { login: DEFAULT_TOKEN_PATH, refresh: DEFAULT_TOKEN_PATH },
  read: (text, problems) => ({
    oauth: readOAuthClient(text, problems),
    revocationPath: optionalPath("BACKEND_REVOCATION_PATH", text("BACKEND_REVOCATION_PATH"), problems),
  }),
  problems(backend, text) {
    const problems: SettingProblem[] = [];
    const { id, secret, auth } = backend.oauth;
    if ((auth === "basic" || auth === "post") && (id === undefined || secret === undefined)) {
      const setting = id === undefined ? "BACKEND_CLIENT_ID" : "BACKEND_CLIENT_SECRET";
      problems.push({
        setting,
        message: `BACKEND_CLIENT_AUTH=${auth} needs both BACKEND_CLIENT_ID and BACKEND_CLIENT_SECRET`,
      });
    }
    if (auth === "none" && secret !== undefined && text("BACKEND_CLIENT_AUTH") !== undefined) {
      problems.push({
        setting: "BACKEND_CLIENT_AUTH",
        message:
          "BACKEND_CLIENT_AUTH=none with a BACKEND_CLIENT_SECRET: a public client sends no secret; unset one of them",
      });
    }
    return problems;
  },
  create: (settings) => oauth2Protocol(settings),
};

function readOAuthClient(text: ReadText, problems: SettingProblem[]): OAuthClientSettings {
  const secret = text("BACKEND_CLIENT_SECRET");
  const auth = oneOf(
    "BACKEND_CLIENT_AUTH",
    text("BACKEND_CLIENT_AUTH"),
    ["basic", "post", "none"] as const,
    secret !== undefined ? "basic" : "none",
    problems,
  );
  return { id: text("BACKEND_CLIENT_ID"), secret, auth, scope: text("BACKEND_SCOPE") };
}

export function oauth2Protocol(settings: SharedBackendSettings & OAuth2ProtocolSettings): BackendProtocolAdapter {
  const { oauth } = settings;

  function formCall(path: string, pathSetting: string, fields: Record<string, string>): BackendCall {
    const body = new URLSearchParams(fields);
    const headers: Record<string, string> = { "content-type": FORM_CONTENT_TYPE, accept: "application/json" };
    if (oauth.auth === "basic" && oauth.id !== undefined && oauth.secret !== undefined) {
      headers.authorization = `Basic ${btoa(`${formEncode(oauth.id)}:${formEncode(oauth.secret)}`)}`;
    } else if (oauth.auth === "post" && oauth.id !== undefined && oauth.secret !== undefined) {
      body.set("client_id", oauth.id);
      body.set("client_secret", oauth.secret);
    } else if (oauth.id !== undefined) {
      body.set("client_id", oauth.id);
    }
    return { path, pathSetting, init: { method: "POST", headers, body: body.toString() } };
  }

  return {
    login: (identifier, password) =>
      formCall(settings.loginPath, "BACKEND_LOGIN_PATH", {
        grant_type: "password",
        username: identifier,
        password,
        ...(oauth.scope !== undefined ? { scope: oauth.scope } : {}),
      }),
    refresh: (refreshToken) =>
      formCall(settings.refreshPath, "BACKEND_REFRESH_PATH", {
        grant_type: "refresh_token",
        refresh_token: refreshToken,
      }),
    revoke: (refreshToken) =>
      settings.revocationPath === undefined
        ? undefined
        : formCall(settings.revocationPath, "BACKEND_REVOCATION_PATH", {
            token: refreshToken,
            token_type_hint: "refresh_token",
          }),
    parseTokens: parseOAuthTokenResponse,
    refusal({ status, body }, operation) {
      const code = isJsonObject(body) && typeof body.error === "string" ? body.error : undefined;
      const description = refusalMessage(body, ["error_description"]);
      if (code !== undefined && code in MISCONFIGURATION_CODES) {
        return {
          kind: "misconfigured",
          status,
          setting: MISCONFIGURATION_CODES[code]!,
          detail: `the token endpoint answered ${status} ${code}${description ? ` (${description})` : ""} to the ${operation} request; check ${MISCONFIGURATION_CODES[code]}`,
        };
      }
      // §5.2: a failed client authentication is 401 even without a body we can read.
      if (code === undefined && status === 401 && operation !== "profile") {
        return {
          kind: "misconfigured",
          status,
          setting: MISCONFIGURATION_CODES.invalid_client!,
          detail: `the token endpoint answered 401 to the ${operation} request; check ${MISCONFIGURATION_CODES.invalid_client}`,
        };
      }
      // invalid_grant, or a server's own code for "no": the credentials or the token are refused.
      return {
        kind: "rejected",
        status,
        message: description ?? (code !== undefined && code !== REFUSAL_CODE ? code.slice(0, 100) : undefined),
      };
    },
  };
}

/** §2.3.1: client id and secret are form-encoded before they go into the Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
