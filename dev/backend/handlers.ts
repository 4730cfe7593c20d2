/**
 * The JSON endpoints an auth backend offers the app: login, refresh, profile and logout. The refresh handler
 * consumes the presented refresh token before any artificial latency, like a real database transaction
 * that commits before the response travels back; that window is what concurrent-tab races hit.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { AccessTokenSigner } from "./access-tokens";
import type { Grants } from "./grants";
import { readBody, sendJson, stringField, type BodyOutcome } from "./http";
import type { BackendOptions, BackendShape } from "./options";
import { dialectFor, type Reply } from "./shapes";
import type { StatsRecorder } from "./stats";
import type { TokenStore } from "./tokens";

export type { Account } from "./grants";

export interface HandlerDeps {
  options: () => Readonly<BackendOptions>;
  grants: Grants;
  tokens: TokenStore;
  signer: AccessTokenSigner;
  stats: StatsRecorder;
  /** Aborted when the server closes, so pending latency delays stop instead of answering dead sockets. */
  lifetime: AbortSignal;
}

export type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

/** Field names each dialect documents; every dialect accepts all of them, so any app setting works. */
const IDENTIFIER_FIELDS = ["email", "username"];
const REFRESH_TOKEN_FIELDS = ["refreshToken", "refresh_token", "refresh"];
const REFRESH_FIELD_BY_SHAPE: Record<BackendShape, string> = {
  default: "refreshToken",
  oauth: "refresh_token",
  drf: "refresh",
};

/** Waits, then answers; returns quietly if the server closes meanwhile. */
export async function answerAfter(
  latencyMs: number,
  lifetime: AbortSignal,
  response: ServerResponse,
  reply: Reply,
): Promise<void> {
  if (latencyMs > 0) {
    try {
      await sleep(latencyMs, undefined, { signal: lifetime });
    } catch {
      return;
    }
  }
  sendJson(response, reply);
}

export function createAuthHandlers(deps: HandlerDeps): {
  login: Handler;
  refresh: Handler;
  profile: Handler;
  logout: Handler;
} {
  const { grants, tokens, signer, stats } = deps;

  async function login(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const { shape, loginLatencyMs } = deps.options();
    const dialect = dialectFor(shape);
    const body = await readBody(request);
    if (body.kind !== "parsed") return sendJson(response, bodyRefusal(shape, body));

    const identifier = stringField(body.value, ...IDENTIFIER_FIELDS);
    const password = stringField(body.value, "password");
    if (identifier === undefined || password === undefined) {
      const field = identifier === undefined ? "email" : "password";
      return sendJson(response, dialect.badRequest({ message: `${field} is required`, field }));
    }
    const pair = await grants.signIn(identifier, password);
    return answerAfter(loginLatencyMs, deps.lifetime, response, pair ? dialect.tokens(pair) : dialect.loginRefused());
  }

  async function refresh(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Counted from arrival to the socket's end, so hung and abandoned requests are in flight as long as they hold a connection.
    response.once("close", stats.refreshStarted());
    stats.count("refreshAttempts");
    const { shape, failMode, refreshLatencyMs } = deps.options();
    const dialect = dialectFor(shape);
    const refreshToken = await refreshTokenOf(request, response, shape);
    if (refreshToken === undefined) return;
    // An outage leaves the token unconsumed: the client must be able to retry it once the backend is back.
    if (failMode === "down") return sendJson(response, dialect.unavailable());
    if (failMode === "hang") return;

    // Check-and-consume happens in here, synchronously, before any await: a second request presenting the
    // same token during the latency below finds it consumed and is treated as reuse.
    const result = await grants.refresh(refreshToken);
    const reply = result.kind === "tokens" ? dialect.tokens(result.pair) : dialect.refreshRefused(result.reason);
    return answerAfter(refreshLatencyMs, deps.lifetime, response, reply);
  }

  async function profile(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.count("profileRequests");
    const dialect = dialectFor(deps.options().shape);
    const refuse = (reason: Parameters<typeof dialect.profileRefused>[0]) => {
      stats.count("profileUnauthorized");
      sendJson(response, dialect.profileRefused(reason));
    };

    const accessToken = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? "")?.[1];
    if (accessToken === undefined) return refuse("missing");
    const check = await signer.verify(accessToken);
    if (check.kind !== "valid") return refuse(check.kind);
    // Access tokens are stateless JWTs; revocation reaches them only through their family.
    const family = tokens.familyStatus(check.claims.familyId);
    if (family.kind === "revoked") return refuse("revoked");
    const account = grants.findAccount(check.claims.userId);
    if (family.kind === "unknown" || !account) return refuse("invalid");
    sendJson(response, { status: 200, body: { id: account.id, email: account.email, name: account.name } });
  }

  /**
   * Sign-out: revokes the family of the given refresh token, so its refresh and access tokens stop working.
   * Answers the same whether or not the token was known, like RFC 7009, so it tells a caller nothing.
   */
  /** The refresh token from a refresh or logout body; undefined once a refusal has been sent. */
  async function refreshTokenOf(
    request: IncomingMessage,
    response: ServerResponse,
    shape: BackendShape,
  ): Promise<string | undefined> {
    const body = await readBody(request);
    if (body.kind !== "parsed") {
      sendJson(response, bodyRefusal(shape, body));
      return undefined;
    }
    const refreshToken = stringField(body.value, ...REFRESH_TOKEN_FIELDS);
    if (refreshToken === undefined) {
      const field = REFRESH_FIELD_BY_SHAPE[shape];
      sendJson(response, dialectFor(shape).badRequest({ message: `${field} is required`, field }));
    }
    return refreshToken;
  }

  async function logout(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.count("revocationRequests");
    const { shape } = deps.options();
    const dialect = dialectFor(shape);
    const refreshToken = await refreshTokenOf(request, response, shape);
    if (refreshToken === undefined) return;
    const family = tokens.familyOf(refreshToken);
    // The JSON endpoints are the client-less "client": they may not sign out an OAuth client's session.
    if (family && family.clientId === undefined) grants.revoke(family);
    sendJson(response, dialect.signedOut());
  }

  return { login, refresh, profile, logout };
}

function bodyRefusal(shape: BackendShape, body: Exclude<BodyOutcome, { kind: "parsed" }>): Reply {
  switch (body.kind) {
    case "malformed":
      return dialectFor(shape).badRequest({ message: body.message });
    case "too_large":
      // The rest of the body is left unread, so this connection cannot carry another request.
      return { status: 413, body: { error: "payload_too_large" }, headers: { connection: "close" } };
    case "unsupported_media_type":
      return { status: 415, body: { error: "unsupported_media_type", message: "Send application/json" } };
  }
}
