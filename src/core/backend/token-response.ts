/**
 * Reads a backend's token response in any of the shapes CONTRACT.md promises, without code changes:
 * tokens flat or nested under `data`; camelCase, snake_case or short names; expiry as an absolute time
 * (epoch ms, epoch s or ISO 8601), as seconds from now, or only inside the access token's JWT `exp`.
 * Anything unusable is a `malformed` value with a reason, never an exception.
 */
import { decodeJwt } from "jose";

const ACCESS_FIELDS = ["accessToken", "access_token", "access"] as const;
const REFRESH_FIELDS = ["refreshToken", "refresh_token", "refresh"] as const;
const ABSOLUTE_EXPIRY_FIELDS = ["accessTokenExpires", "expiresAt", "expires_at"] as const;
const RELATIVE_EXPIRY_FIELDS = ["expires_in", "expiresIn"] as const;
/** Below this an epoch number is seconds (until year 5138), above it milliseconds (after 1973). */
const EPOCH_SECONDS_LIMIT = 1e11;

export interface ParsedTokens {
  readonly accessToken: string;
  /** Absent when a refresh response carries no new refresh token: the old one stays valid. */
  readonly refreshToken: string | undefined;
  /** Epoch milliseconds. */
  readonly accessTokenExpires: number;
}

export type TokenResponse = { readonly kind: "ok"; readonly tokens: ParsedTokens } | { readonly kind: "malformed"; readonly reason: string };

export function parseTokenResponse(body: unknown, nowMs: number): TokenResponse {
  if (!isRecord(body)) return malformed("the body is not a JSON object");
  const source = isRecord(body.data) ? body.data : body;

  const accessToken = firstString(source, ACCESS_FIELDS);
  if (accessToken === undefined) return malformed(`no access token (looked for ${ACCESS_FIELDS.join(", ")})`);
  const refreshToken = firstString(source, REFRESH_FIELDS);

  const expiry = readExpiry(source, accessToken, nowMs);
  if (typeof expiry === "string") return malformed(expiry);
  // A date before 1970 or a number that overflowed (a huge expires_in, JWT exp or digit string) is no expiry.
  if (!Number.isFinite(expiry) || expiry <= 0) return malformed(`the expiry is not a usable time: ${expiry}`);
  return { kind: "ok", tokens: { accessToken, refreshToken, accessTokenExpires: expiry } };
}

function readExpiry(source: Record<string, unknown>, accessToken: string, nowMs: number): number | string {
  for (const field of ABSOLUTE_EXPIRY_FIELDS) {
    if (source[field] === undefined || source[field] === null) continue;
    const value = absoluteTime(source[field]);
    return value ?? `${field} is not an epoch time or ISO 8601 date: ${JSON.stringify(source[field])}`;
  }
  for (const field of RELATIVE_EXPIRY_FIELDS) {
    if (source[field] === undefined || source[field] === null) continue;
    const seconds = numeric(source[field]);
    if (seconds === undefined || seconds < 0) return `${field} is not a number of seconds: ${JSON.stringify(source[field])}`;
    return nowMs + seconds * 1000;
  }
  try {
    const { exp } = decodeJwt(accessToken);
    if (typeof exp === "number" && Number.isFinite(exp)) return exp * 1000;
  } catch {
    // An opaque access token simply has no claims to read.
  }
  return `no expiry (looked for ${[...ABSOLUTE_EXPIRY_FIELDS, ...RELATIVE_EXPIRY_FIELDS].join(", ")} and the access token's JWT exp)`;
}

function absoluteTime(value: unknown): number | undefined {
  const number = numeric(value);
  if (number !== undefined) {
    if (number <= 0) return undefined;
    return number < EPOCH_SECONDS_LIMIT ? number * 1000 : number;
  }
  if (typeof value !== "string") return undefined;
  // ISO 8601 only: a date without a time or a locale string is too ambiguous for a token expiry.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return undefined;
  const parsed = Date.parse(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

function numeric(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())) return Number(value);
  return undefined;
}

function firstString(source: Record<string, unknown>, fields: readonly string[]): string | undefined {
  for (const field of fields) {
    const value = source[field];
    if (typeof value === "string" && value.length > 0) return value;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function malformed(reason: string): TokenResponse {
  return { kind: "malformed", reason };
}
