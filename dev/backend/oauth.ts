/**
 * The `oauth` shape's own endpoints: an RFC 6749 token endpoint (one path; `grant_type=password` and
 * `grant_type=refresh_token`, form-urlencoded only, client authentication, §5.2 errors) and an RFC 7009
 * revocation endpoint. They answer 404 in the other shapes, so an app pointed at them by mistake fails loudly.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { authenticateClient } from "./client-auth";
import { answerAfter, type Handler, type HandlerDeps } from "./handlers";
import { readBody, sendJson } from "./http";
import { dialectFor, type Reply } from "./shapes";
import type { Family } from "./tokens";

/** The same dependencies as the JSON handlers: one server, two dialects. */
export type OAuthDeps = HandlerDeps;

/** RFC 6749 §5.2 error codes (and RFC 7009's), each with the status this backend answers it with. */
type OAuthError =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope";

const OAUTH = dialectFor("oauth");

/** A §5.2 error body; 400 for everything but invalid_client. */
export function oauthError(error: OAuthError, description: string, headers?: Record<string, string>): Reply {
  return { status: error === "invalid_client" ? 401 : 400, body: { error, error_description: description }, headers };
}

export function createOAuthHandlers(deps: OAuthDeps): { token: Handler; revoke: Handler } {
  const { grants, tokens, signer, stats } = deps;

  /** The parsed form and the authenticated client, or the reply that refuses the request. */
  async function authenticated(
    request: IncomingMessage,
  ): Promise<{ params: Record<string, string>; clientId: string } | { refusal: Reply }> {
    const body = await readBody(request, ["form"]);
    switch (body.kind) {
      case "unsupported_media_type":
        return { refusal: oauthError("invalid_request", "Send an application/x-www-form-urlencoded body") };
      case "malformed":
        return { refusal: oauthError("invalid_request", body.message) };
      case "too_large":
        return { refusal: { status: 413, body: { error: "invalid_request" }, headers: { connection: "close" } } };
    }
    const params = body.value as Record<string, string>;
    const client = authenticateClient(deps.options().oauthClients, request.headers.authorization, params);
    if (client.kind === "invalid_request") return { refusal: oauthError("invalid_request", client.message) };
    if (client.kind === "invalid_client") {
      const headers = client.basic ? { "www-authenticate": 'Basic realm="reference-backend"' } : undefined;
      return { refusal: oauthError("invalid_client", client.message, headers) };
    }
    return { params, clientId: client.client.clientId };
  }

  /** The requested scope checked against `allowed`; undefined when none was asked for. */
  function requestedScope(
    value: string | undefined,
    allowed: readonly string[],
  ): { scope?: string } | { refusal: Reply } {
    const scopes = (value ?? "").split(" ").filter(Boolean);
    if (scopes.length === 0) return {};
    const unknown = scopes.filter((scope) => !allowed.includes(scope));
    if (unknown.length > 0) return { refusal: oauthError("invalid_scope", `Scope not allowed: ${unknown.join(" ")}`) };
    return { scope: scopes.join(" ") };
  }

  async function passwordGrant(params: Record<string, string>, clientId: string): Promise<Reply> {
    const { username, password } = params;
    if (!username || !password) {
      return oauthError("invalid_request", `${username ? "password" : "username"} is required`);
    }
    const scope = requestedScope(params.scope, deps.options().oauthScopes);
    if ("refusal" in scope) return scope.refusal;
    const pair = await grants.signIn(username, password, { clientId, scope: scope.scope });
    return pair ? OAUTH.tokens(pair) : oauthError("invalid_grant", "Invalid username or password");
  }

  async function token(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (deps.options().shape !== "oauth") return notHere(request, response);
    const parsed = await authenticated(request);
    if ("refusal" in parsed) return sendJson(response, parsed.refusal);
    const { params, clientId } = parsed;

    switch (params.grant_type) {
      case "password": {
        const reply = await passwordGrant(params, clientId);
        return answerAfter(deps.options().loginLatencyMs, deps.lifetime, response, reply);
      }
      case "refresh_token":
        return refreshGrant(params, clientId, response);
      case undefined:
      case "":
        return sendJson(response, oauthError("invalid_request", "grant_type is required"));
      default:
        return sendJson(response, oauthError("unsupported_grant_type", `Unsupported grant_type ${params.grant_type}`));
    }
  }

  async function refreshGrant(
    params: Record<string, string>,
    clientId: string,
    response: ServerResponse,
  ): Promise<void> {
    response.once("close", stats.refreshStarted());
    stats.count("refreshAttempts");
    const { failMode, refreshLatencyMs, oauthScopes } = deps.options();
    const refreshToken = params.refresh_token;
    if (!refreshToken) return sendJson(response, oauthError("invalid_request", "refresh_token is required"));
    // RFC 6749 §6: a refresh may narrow the scope, never widen it beyond what was granted.
    const family = tokens.familyOf(refreshToken);
    const granted = family?.clientId === clientId && family.scope !== undefined ? family.scope.split(" ") : oauthScopes;
    const scope = requestedScope(params.scope, granted);
    if ("refusal" in scope) return sendJson(response, scope.refusal);
    if (failMode === "down") return sendJson(response, OAUTH.unavailable());
    if (failMode === "hang") return;

    const result = await grants.refresh(refreshToken, clientId);
    const reply =
      result.kind === "tokens"
        ? OAUTH.tokens({ ...result.pair, scope: scope.scope ?? result.pair.scope })
        : OAUTH.refreshRefused(result.reason);
    return answerAfter(refreshLatencyMs, deps.lifetime, response, reply);
  }

  /** The family a refresh or access token belongs to, trying the hinted kind first (RFC 7009 §2.1). */
  async function familyOfToken(token: string, hint: string | undefined): Promise<Family | undefined> {
    const asRefresh = () => tokens.familyOf(token);
    const asAccess = async () => {
      const check = await signer.verify(token);
      if (check.kind === "invalid") return undefined;
      const status = tokens.familyStatus(check.claims.familyId);
      return status.kind === "active" ? status.family : undefined;
    };
    return hint === "access_token" ? ((await asAccess()) ?? asRefresh()) : (asRefresh() ?? (await asAccess()));
  }

  async function revoke(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (deps.options().shape !== "oauth") return notHere(request, response);
    stats.count("revocationRequests");
    const parsed = await authenticated(request);
    if ("refusal" in parsed) return sendJson(response, parsed.refusal);
    const { params, clientId } = parsed;
    if (!params.token) return sendJson(response, oauthError("invalid_request", "token is required"));

    const family = await familyOfToken(params.token, params.token_type_hint);
    // RFC 7009 §2.1: the server checks that the token was issued to the client asking to revoke it.
    if (family && family.clientId !== clientId) {
      return sendJson(response, oauthError("unauthorized_client", "The token was issued to another client"));
    }
    // Revoking a refresh token revokes the access tokens of the same grant too, and vice versa (§2.1 allows both).
    if (family) grants.revoke(family);
    // §2.2: 200 also for an invalid or unknown token; the client could not do anything about it anyway.
    sendJson(response, OAUTH.signedOut());
  }

  return { token, revoke };
}

function notHere(request: IncomingMessage, response: ServerResponse): void {
  // The body is left unread; closing the connection keeps it from being parsed as the next request.
  const path = new URL(request.url ?? "/", "http://backend").pathname;
  sendJson(response, {
    status: 404,
    body: { error: "not_found", path, message: "The OAuth endpoints exist only with shape oauth" },
    headers: { connection: "close" },
  });
}
