/**
 * The client for the custom backend. Every call ends in a value that says what happened, classified where
 * it happened: `rejected` (the backend refused: bad credentials, dead refresh token), `unavailable`
 * (no answer, timeout, 5xx, rate limit: try again later, keep the session) or `malformed` (a 2xx we cannot
 * use). Bodies we do not read are cancelled so connections are not held open.
 */
import type { BackendSettings } from "../settings";
import type { BackendTokens } from "../session/claims";
import { parseTokenResponse } from "./token-response";

/** Statuses that mean "not now" rather than "no": they never sign anyone out. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);
/** Longest backend message we pass on to the login page. */
const MAX_MESSAGE_LENGTH = 200;

export type Unavailable = {
  readonly kind: "unavailable";
  readonly reason: "network" | "timeout" | "status";
  readonly status?: number;
  readonly detail: string;
};
export type Rejected = { readonly kind: "rejected"; readonly status: number; readonly message?: string };
export type Malformed = { readonly kind: "malformed"; readonly detail: string };
export type BackendResult<T> = { readonly kind: "ok"; readonly value: T } | Rejected | Unavailable | Malformed;

export interface BackendClient {
  login(identifier: string, password: string, signal?: AbortSignal): Promise<BackendResult<BackendTokens>>;
  /** A missing refresh token in the answer keeps the presented one, as CONTRACT.md says. */
  refresh(refreshToken: string, signal?: AbortSignal): Promise<BackendResult<BackendTokens>>;
  profile(accessToken: string, signal?: AbortSignal): Promise<BackendResult<Record<string, unknown>>>;
}

export interface BackendClientOptions {
  readonly settings: BackendSettings;
  readonly fetch?: typeof fetch;
  readonly nowMs?: () => number;
}

export function createBackendClient(options: BackendClientOptions): BackendClient {
  const { settings } = options;
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const nowMs = options.nowMs ?? Date.now;

  async function call(path: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response | Unavailable> {
    const timeout = AbortSignal.timeout(settings.timeoutMs);
    try {
      return await fetchImpl(`${settings.baseUrl}${path}`, {
        ...init,
        redirect: "manual",
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
    } catch (error) {
      if (timeout.aborted) {
        return { kind: "unavailable", reason: "timeout", detail: `no answer within ${settings.timeoutMs} ms` };
      }
      return { kind: "unavailable", reason: "network", detail: describe(error) };
    }
  }

  /** One backend call to its JSON body, or the failure kind it ended in. */
  async function callJson(path: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Json | Rejected | Unavailable | Malformed> {
    const response = await call(path, init, signal);
    if (!(response instanceof Response)) return response;
    return (await classifyStatus(response)) ?? readJson(response);
  }

  async function tokens(
    path: string,
    body: Record<string, string>,
    keepRefreshToken: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<BackendResult<BackendTokens>> {
    const json = await callJson(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    }, signal);
    if (json.kind !== "json") return json;
    const parsed = parseTokenResponse(json.value, nowMs());
    if (parsed.kind === "malformed") return { kind: "malformed", detail: parsed.reason };
    const refreshToken = parsed.tokens.refreshToken ?? keepRefreshToken;
    if (refreshToken === undefined) return { kind: "malformed", detail: "the sign-in answer has no refresh token" };
    return {
      kind: "ok",
      value: {
        accessToken: parsed.tokens.accessToken,
        refreshToken,
        accessTokenExpires: parsed.tokens.accessTokenExpires,
        accessTokenReceivedAt: nowMs(),
      },
    };
  }

  return {
    login(identifier, password, signal) {
      return tokens(settings.loginPath, { [settings.usernameField]: identifier, [settings.passwordField]: password }, undefined, signal);
    },

    refresh(refreshToken, signal) {
      return tokens(settings.refreshPath, { [settings.refreshTokenField]: refreshToken }, refreshToken, signal);
    },

    async profile(accessToken, signal) {
      const json = await callJson(settings.profilePath, {
        method: "GET",
        headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
      }, signal);
      if (json.kind !== "json") return json;
      if (typeof json.value !== "object" || json.value === null || Array.isArray(json.value)) {
        return { kind: "malformed", detail: "the profile is not a JSON object" };
      }
      return { kind: "ok", value: json.value as Record<string, unknown> };
    },
  };
}

async function classifyStatus(response: Response): Promise<Rejected | Unavailable | null> {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  if (status >= 400 && status < 500 && !TRANSIENT_STATUSES.has(status)) {
    return { kind: "rejected", status, message: await refusalMessage(response) };
  }
  await response.body?.cancel().catch(() => undefined);
  return { kind: "unavailable", reason: "status", status, detail: `the backend answered ${status}` };
}

type Json = { readonly kind: "json"; readonly value: unknown };

async function readJson(response: Response): Promise<Json | Malformed> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    return { kind: "malformed", detail: `the body could not be read: ${describe(error)}` };
  }
  try {
    return { kind: "json", value: JSON.parse(text) };
  } catch {
    return { kind: "malformed", detail: `the body is not JSON (${text.length} bytes)` };
  }
}

/** The backend's own words for a refusal, if it gave any: `message`, `error_description`, `detail` or `error`. */
async function refusalMessage(response: Response): Promise<string | undefined> {
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    return undefined;
  }
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  for (const field of ["message", "error_description", "detail", "error"]) {
    const value = record[field];
    if (typeof value === "string" && value.trim()) return value.trim().slice(0, MAX_MESSAGE_LENGTH);
  }
  return undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}
