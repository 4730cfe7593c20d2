/**
 * OAuth client authentication at the token and revocation endpoints (RFC 6749 §2.3.1, §3.2.1): HTTP Basic
 * with the form-urlencoded client id and secret (client_secret_basic), the same two as body parameters
 * (client_secret_post), or a bare `client_id` for a public client. One method per request; using two is
 * refused, as the RFC requires, so a client library that sends both is caught here rather than in production.
 */

import { timingSafeEqual } from "node:crypto";
import type { OAuthClient } from "./options";

export type ClientAuthMethod = "client_secret_basic" | "client_secret_post" | "none";

export type ClientAuthentication =
  | { kind: "authenticated"; client: OAuthClient; method: ClientAuthMethod }
  /** 400 invalid_request: the request itself is wrong (two methods at once). */
  | { kind: "invalid_request"; message: string }
  /** 401 invalid_client; `basic` says the client tried HTTP Basic, so the answer carries `WWW-Authenticate: Basic`. */
  | { kind: "invalid_client"; message: string; basic: boolean };

/**
 * Authenticates the client of a token or revocation request from its Authorization header and form body.
 * A public client (no secret configured) may identify itself with `client_id` alone, or with Basic and an
 * empty secret; a confidential client must present its secret.
 */
export function authenticateClient(
  clients: readonly OAuthClient[],
  authorization: string | undefined,
  body: Readonly<Record<string, string>>,
): ClientAuthentication {
  const bodyId = nonEmpty(body.client_id);
  const bodySecret = nonEmpty(body.client_secret);
  const scheme = authorization === undefined ? undefined : /^(\S+)(?:\s+(.*))?$/.exec(authorization.trim());

  if (scheme && scheme[1]!.toLowerCase() === "basic") {
    if (bodyId !== undefined || bodySecret !== undefined) {
      return {
        kind: "invalid_request",
        message: "Use one client authentication method: HTTP Basic or client_id in the body, not both",
      };
    }
    const credentials = decodeBasic(scheme[2] ?? "");
    if (!credentials) return { kind: "invalid_client", message: "Malformed HTTP Basic credentials", basic: true };
    return check(clients, credentials.id, credentials.secret, "client_secret_basic", true);
  }
  if (bodyId === undefined) {
    const message = bodySecret === undefined ? "Client authentication is required" : "client_secret without client_id";
    return { kind: "invalid_client", message, basic: false };
  }
  return check(clients, bodyId, bodySecret, bodySecret === undefined ? "none" : "client_secret_post", false);
}

function check(
  clients: readonly OAuthClient[],
  clientId: string,
  secret: string | undefined,
  method: ClientAuthMethod,
  basic: boolean,
): ClientAuthentication {
  const client = clients.find((candidate) => candidate.clientId === clientId);
  if (!client) return { kind: "invalid_client", message: "Unknown client", basic };
  if (client.clientSecret === undefined) {
    // A public client has nothing to prove; presenting a secret anyway means it is not who it thinks it is.
    return secret === undefined
      ? { kind: "authenticated", client, method: basic ? method : "none" }
      : { kind: "invalid_client", message: "A public client has no secret", basic };
  }
  if (secret === undefined) return { kind: "invalid_client", message: "Client secret is required", basic };
  if (!sameSecret(secret, client.clientSecret))
    return { kind: "invalid_client", message: "Wrong client secret", basic };
  return { kind: "authenticated", client, method };
}

/**
 * RFC 6749 §2.3.1: the id and secret are each form-urlencoded (`+` for space, `%XX`) before being joined
 * with `:` and base64-encoded, so either may contain a colon once encoded.
 */
export function decodeBasic(encoded: string): { id: string; secret: string | undefined } | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded.trim())) return undefined;
  const decoded = Buffer.from(encoded.trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    const id = formDecode(decoded.slice(0, colon));
    const secret = formDecode(decoded.slice(colon + 1));
    return id === "" ? undefined : { id, secret: secret === "" ? undefined : secret };
  } catch {
    return undefined;
  }
}

/** The application/x-www-form-urlencoded encoding of one value, as a client builds Basic credentials. */
export function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
