/**
 * The sign-in settings (SIGNIN_*, BACKEND_FORWARD_CLIENT_IP), read by parseSettings (../settings.ts) with
 * the others, so a bad one is reported in the same one message. docs/CONFIGURATION.md, "Sign-in limits".
 */
import type { SettingProblem } from "../setting-problem";
import type { LimitRule } from "./attempt-limiter";
import type { ClientAddressSource } from "./client-address";

/**
 * The three limits, in the order they are checked:
 * - `address`: attempts from one address, any identifier (credential spraying);
 * - `account-address`: attempts on one identifier from one address (guessing one password);
 * - `account`: attempts on one identifier from anywhere (a guesser spread over many addresses).
 */
export type LimitName = "address" | "account-address" | "account";
export const LIMIT_NAMES: readonly LimitName[] = ["address", "account-address", "account"];

/** The defaults and their reasoning: SECURITY.md, "Password guessing, spraying and lockout". */
export const DEFAULT_LIMITS: Readonly<Record<LimitName, string>> = {
  address: "20/1m",
  "account-address": "5/15m",
  account: "30/15m",
};

const LIMIT_SETTING: Readonly<Record<LimitName, string>> = {
  address: "SIGNIN_ADDRESS_LIMIT",
  "account-address": "SIGNIN_ACCOUNT_ADDRESS_LIMIT",
  account: "SIGNIN_ACCOUNT_LIMIT",
};

export const SIGNIN_SETTING_NAMES = [
  "SIGNIN_LIMITS",
  "SIGNIN_ADDRESS_LIMIT",
  "SIGNIN_ACCOUNT_ADDRESS_LIMIT",
  "SIGNIN_ACCOUNT_LIMIT",
  "SIGNIN_CLIENT_IP_HEADER",
  "SIGNIN_TRUSTED_PROXY_HOPS",
  "BACKEND_FORWARD_CLIENT_IP",
] as const;

const MAX_ATTEMPTS = 100_000;
const MAX_WINDOW_MS = 24 * 3600_000;
const MAX_PROXY_HOPS = 10;
const UNIT_MS = { s: 1000, m: 60_000, h: 3600_000 } as const;
/** RFC 9110 token characters: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
/** Vercel overwrites this header with the connecting client's address (FIELD-NOTES.md, "Client addresses"). */
const VERCEL_CLIENT_IP_HEADER = "x-forwarded-for";

export interface SignInSettings {
  /** Each limit's rule, or null when turned off. */
  readonly limits: Readonly<Record<LimitName, LimitRule | null>>;
  /** Where the person's address comes from; undefined = unknown, no per-address limits. */
  readonly clientAddress: ClientAddressSource | undefined;
  /** Send `X-Forwarded-For: <address>` with the backend login request when the address is known. */
  readonly forwardClientAddress: boolean;
}

export function parseSignInSettings(
  text: (name: string) => string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  problems: SettingProblem[],
): SignInSettings {
  const master = text("SIGNIN_LIMITS")?.toLowerCase();
  if (master !== undefined && master !== "on" && master !== "off")
    problems.push({ setting: "SIGNIN_LIMITS", message: `SIGNIN_LIMITS must be on or off: ${JSON.stringify(master)}` });
  const limits = Object.fromEntries(
    LIMIT_NAMES.map((name) => {
      const rule = parseLimit(LIMIT_SETTING[name], text(LIMIT_SETTING[name]) ?? DEFAULT_LIMITS[name], problems);
      return [name, master === "off" ? null : rule];
    }),
  ) as Record<LimitName, LimitRule | null>;

  const configuredHeader = text("SIGNIN_CLIENT_IP_HEADER")?.toLowerCase();
  const header =
    configuredHeader === undefined
      ? env.VERCEL === "1"
        ? VERCEL_CLIENT_IP_HEADER
        : undefined
      : configuredHeader === "off"
        ? undefined
        : configuredHeader;
  if (header !== undefined && !HEADER_NAME.test(header))
    problems.push({
      setting: "SIGNIN_CLIENT_IP_HEADER",
      message: `SIGNIN_CLIENT_IP_HEADER must be a header name (or off): ${JSON.stringify(header)}`,
    });
  const hopsText = text("SIGNIN_TRUSTED_PROXY_HOPS");
  let trustedHops = 1;
  if (hopsText !== undefined) {
    const hops = Number(hopsText);
    if (!Number.isInteger(hops) || hops < 1 || hops > MAX_PROXY_HOPS)
      problems.push({
        setting: "SIGNIN_TRUSTED_PROXY_HOPS",
        message: `SIGNIN_TRUSTED_PROXY_HOPS must be a whole number from 1 to ${MAX_PROXY_HOPS}: ${JSON.stringify(hopsText)}`,
      });
    else trustedHops = hops;
    if (header === undefined)
      problems.push({
        setting: "SIGNIN_CLIENT_IP_HEADER",
        message:
          "SIGNIN_TRUSTED_PROXY_HOPS is set but SIGNIN_CLIENT_IP_HEADER is not: name the header your proxies write",
      });
  }

  const forward = text("BACKEND_FORWARD_CLIENT_IP") ?? "1";
  if (forward !== "0" && forward !== "1")
    problems.push({
      setting: "BACKEND_FORWARD_CLIENT_IP",
      message: `BACKEND_FORWARD_CLIENT_IP must be 0 or 1: ${JSON.stringify(forward)}`,
    });

  return Object.freeze({
    limits: Object.freeze(limits),
    clientAddress: header === undefined ? undefined : Object.freeze({ header, trustedHops }),
    forwardClientAddress: forward !== "0",
  });
}

/** `<attempts>/<window>` (`5/15m`, `20/60s`, `100/1h`), or `off` / `0`: turned off. */
export function parseLimit(name: string, value: string, problems: SettingProblem[]): LimitRule | null {
  const normalized = value.trim().toLowerCase();
  if (normalized === "off" || normalized === "0") return null;
  const match = /^(\d{1,6})\s*\/\s*(\d{1,5})\s*([smh])$/.exec(normalized);
  const max = match ? Number(match[1]) : NaN;
  const windowMs = match ? Number(match[2]) * UNIT_MS[match[3] as keyof typeof UNIT_MS] : NaN;
  if (!match || max < 1 || max > MAX_ATTEMPTS || windowMs < 1000 || windowMs > MAX_WINDOW_MS) {
    problems.push({
      setting: name,
      message: `${name} must be off or <attempts>/<window> like 5/15m (1 to ${MAX_ATTEMPTS} attempts, a window from 1s to 24h in s, m or h): ${JSON.stringify(value)}`,
    });
    return null;
  }
  return Object.freeze({ max, windowMs });
}
