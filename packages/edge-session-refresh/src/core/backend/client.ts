/**
 * The client for the custom backend: sign-in, refresh, profile and sign-out revocation, over the protocol
 * the settings name (json or oauth2). Every call ends in a value that says what happened (result.ts);
 * none throws for anything the backend or the network does.
 */
import { systemClock, type Clock } from "../clock";
import type { BackendSettings } from "./settings";
import { isJsonObject } from "../support/json";
import { createBackendHttp, type BackendCall } from "./http";
import type { BackendOperation, BackendProtocolAdapter } from "./protocol";
import { BACKEND_PROTOCOLS } from "./protocols";
import type { BackendResult } from "./result";
import type { BackendTokens } from "./tokens";

export interface BackendClient {
  /** `clientAddress` (a canonical address from signin/client-address.ts) goes out as `X-Forwarded-For`, so the backend's own lockouts see the person. */
  login(
    identifier: string,
    password: string,
    signal?: AbortSignal,
    clientAddress?: string,
  ): Promise<BackendResult<BackendTokens>>;
  /** An answer without a refresh token keeps the presented one (a backend that does not rotate). */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<BackendResult<BackendTokens>>;
  profile(accessToken: string, signal?: AbortSignal): Promise<BackendResult<Record<string, unknown>>>;
  /**
   * Ends the session at the backend (BACKEND_LOGOUT_PATH or BACKEND_REVOCATION_PATH). `skipped` when none
   * is configured. RFC 7009 answers 200 for a token it does not know, so "already dead" is success too.
   */
  revoke(refreshToken: string, signal?: AbortSignal): Promise<BackendResult<"revoked"> | { readonly kind: "skipped" }>;
}

export interface BackendClientOptions {
  readonly settings: BackendSettings;
  readonly fetch?: typeof fetch;
  readonly clock?: Clock;
}

export function createBackendClient(options: BackendClientOptions): BackendClient {
  const { settings } = options;
  const clock = options.clock ?? systemClock;
  const http = createBackendHttp({
    baseUrl: settings.baseUrl,
    timeoutMs: settings.timeoutMs,
    clock,
    fetch: options.fetch,
  });
  const protocol: BackendProtocolAdapter = BACKEND_PROTOCOLS[settings.protocol].create(settings);

  async function tokens(
    operation: BackendOperation,
    call: BackendCall,
    keepRefreshToken: string | undefined,
  ): Promise<BackendResult<BackendTokens>> {
    const answer = await http.exchange(call);
    if (answer.kind === "refusal") return protocol.refusal(answer, operation);
    if (answer.kind !== "json") return answer;
    const parsed = protocol.parseTokens(answer.value, answer);
    if (parsed.kind === "malformed") return { kind: "malformed", detail: `${call.path}: ${parsed.reason}` };
    const refreshToken = parsed.tokens.refreshToken ?? keepRefreshToken;
    if (refreshToken === undefined)
      return { kind: "malformed", detail: `${call.path}: the sign-in answer has no refresh token` };
    return {
      kind: "ok",
      value: {
        accessToken: parsed.tokens.accessToken,
        refreshToken,
        accessTokenExpires: parsed.tokens.accessTokenExpires,
        accessTokenReceivedAt: answer.receivedAt,
      },
    };
  }

  return {
    login(identifier, password, signal, clientAddress) {
      const call = protocol.login(identifier, password);
      const headers =
        clientAddress === undefined
          ? call.init.headers
          : { ...(call.init.headers as Record<string, string>), "x-forwarded-for": clientAddress };
      return tokens("login", { ...call, init: { ...call.init, headers }, signal }, undefined);
    },

    refresh(refreshToken, signal) {
      return tokens("refresh", { ...protocol.refresh(refreshToken), signal }, refreshToken);
    },

    async profile(accessToken, signal) {
      const answer = await http.exchange({
        path: settings.profilePath,
        pathSetting: "BACKEND_PROFILE_PATH",
        init: { method: "GET", headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" } },
        signal,
      });
      if (answer.kind === "refusal") return protocol.refusal(answer, "profile");
      if (answer.kind !== "json") return answer;
      if (!isJsonObject(answer.value)) return { kind: "malformed", detail: "the profile is not a JSON object" };
      return { kind: "ok", value: answer.value };
    },

    async revoke(refreshToken, signal) {
      const call = protocol.revoke(refreshToken);
      if (call === undefined) return { kind: "skipped" };
      const answer = await http.send({ ...call, signal });
      if (answer.kind === "refusal") return protocol.refusal(answer, "revoke");
      if (answer.kind === "ok") return { kind: "ok", value: "revoked" };
      return answer;
    },
  };
}
