/**
 * Reads a backend's token response in any of the shapes docs/CONFIGURATION.md ("Pointing it at your own backend") promises, without code changes:
 * tokens flat or nested under `data`; camelCase, snake_case or short names; expiry as an absolute time
 * (epoch ms, epoch s or ISO 8601), as seconds from now, or only inside the access token's JWT `exp`.
 * Anything unusable is a `malformed` value with a reason, never an exception.
 *
 * Clock skew: an absolute expiry is a time on the BACKEND's clock. Taken as is, a backend clock 60 s ahead
 * makes tokens look valid after they died, and 60 s behind makes every fresh token look expired (a refresh
 * on every request). So an absolute expiry is turned into the lifetime the backend states (minus the
 * response's `Date`, or minus the JWT's `iat`) and anchored to the local time of receipt.
 */
import { decodeJwt } from "jose";
import { isJsonObject } from "../support/json";

const ACCESS_FIELDS = ["accessToken", "access_token", "access"] as const;
const REFRESH_FIELDS = ["refreshToken", "refresh_token", "refresh"] as const;
const ABSOLUTE_EXPIRY_FIELDS = ["accessTokenExpires", "expiresAt", "expires_at"] as const;
const RELATIVE_EXPIRY_FIELDS = ["expires_in", "expiresIn"] as const;
/** Below this an epoch number is seconds (until year 5138), above it milliseconds (after 1973). */
const EPOCH_SECONDS_LIMIT = 1e11;
/**
 * `Date` and `iat` count whole seconds, truncated: the backend's true time of issue may be up to this much
 * later, so a lifetime measured from them is shortened by it. Refreshing a second early is harmless;
 * trusting a token a second after it died is not.
 */
const WHOLE_SECOND_MS = 1000;
/** RFC 6750: the only token type we can present as `Authorization: Bearer`. */
const BEARER = "bearer";

export interface ParsedTokens {
  readonly accessToken: string;
  /** Absent when a refresh response carries no new refresh token: the old one stays valid. */
  readonly refreshToken: string | undefined;
  /** Epoch milliseconds on the local clock. */
  readonly accessTokenExpires: number;
}

export type TokenResponse =
  { readonly kind: "ok"; readonly tokens: ParsedTokens } | { readonly kind: "malformed"; readonly reason: string };

/** What the response says about time, besides the body. */
export interface ResponseTime {
  /** Local epoch ms when the answer arrived. */
  readonly receivedAt: number;
  /** The response's `Date` header, epoch ms on the backend's clock, when it had a valid one. */
  readonly serverDate?: number;
}

/** JSON protocol: the shapes above. */
export function parseTokenResponse(body: unknown, time: ResponseTime): TokenResponse {
  if (!isJsonObject(body)) return malformed("the body is not a JSON object");
  const source = isJsonObject(body.data) ? body.data : body;

  const accessToken = firstString(source, ACCESS_FIELDS);
  if (accessToken === undefined) return malformed(`no access token (looked for ${ACCESS_FIELDS.join(", ")})`);
  const refreshToken = firstString(source, REFRESH_FIELDS);

  const expiry = readExpiry(source, accessToken, time);
  if (typeof expiry === "string") return malformed(expiry);
  // A date before 1970 or a number that overflowed (a huge expires_in, JWT exp or digit string) is no expiry.
  if (!Number.isFinite(expiry) || expiry <= 0) return malformed(`the expiry is not a usable time: ${expiry}`);
  return { kind: "ok", tokens: { accessToken, refreshToken, accessTokenExpires: expiry } };
}

/** oauth2 protocol: an RFC 6749 §5.1 answer; a `token_type` other than Bearer cannot be used and is refused. */
export function parseOAuthTokenResponse(body: unknown, time: ResponseTime): TokenResponse {
  if (!isJsonObject(body)) return malformed("the body is not a JSON object");
  const tokenType = body.token_type;
  if (tokenType !== undefined && (typeof tokenType !== "string" || tokenType.toLowerCase() !== BEARER)) {
    return malformed(`token_type ${JSON.stringify(tokenType)} is not Bearer`);
  }
  return parseTokenResponse(body, time);
}

function readExpiry(source: Record<string, unknown>, accessToken: string, time: ResponseTime): number | string {
  const { receivedAt, serverDate } = time;
  const claims = jwtTimes(accessToken);
  for (const field of ABSOLUTE_EXPIRY_FIELDS) {
    if (source[field] === undefined || source[field] === null) continue;
    const stated = absoluteTime(source[field]);
    if (stated === undefined) return `${field} is not an epoch time or ISO 8601 date: ${JSON.stringify(source[field])}`;
    if (serverDate !== undefined) return receivedAt + (stated - serverDate - WHOLE_SECOND_MS);
    if (claims.iat !== undefined) return receivedAt + (stated - claims.iat * 1000 - WHOLE_SECOND_MS);
    return stated;
  }
  const relative = relativeSeconds(source);
  if (typeof relative === "number") return receivedAt + relative * 1000;
  if (typeof relative === "string") return relative;
  if (claims.exp !== undefined) {
    if (serverDate !== undefined) return receivedAt + (claims.exp * 1000 - serverDate - WHOLE_SECOND_MS);
    if (claims.iat !== undefined) return receivedAt + (claims.exp - claims.iat) * 1000 - WHOLE_SECOND_MS;
    return claims.exp * 1000;
  }
  return `no expiry (looked for ${[...ABSOLUTE_EXPIRY_FIELDS, ...RELATIVE_EXPIRY_FIELDS].join(", ")} and the access token's JWT exp)`;
}

/** Seconds from now, undefined when absent, a reason when present but unusable. */
function relativeSeconds(source: Record<string, unknown>): number | string | undefined {
  for (const field of RELATIVE_EXPIRY_FIELDS) {
    if (source[field] === undefined || source[field] === null) continue;
    const seconds = numeric(source[field]);
    if (seconds === undefined || seconds < 0)
      return `${field} is not a number of seconds: ${JSON.stringify(source[field])}`;
    return seconds;
  }
  return undefined;
}

function jwtTimes(accessToken: string): { exp?: number; iat?: number } {
  try {
    const { exp, iat } = decodeJwt(accessToken);
    const finite = (value: unknown) =>
      typeof value === "number" && Number.isFinite(value) && value > 0 ? value : undefined;
    const times = { exp: finite(exp), iat: finite(iat) };
    // An iat after exp is nonsense; without a sane iat, exp is taken as is.
    if (times.exp !== undefined && times.iat !== undefined && times.iat > times.exp) return { exp: times.exp };
    return times;
  } catch {
    // An opaque access token simply has no claims to read.
    return {};
  }
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

function malformed(reason: string): TokenResponse {
  return { kind: "malformed", reason };
}
