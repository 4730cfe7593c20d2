/**
 * The one place that decides where a person may be sent after signing in (a `callbackUrl`). Only a path
 * on our own origin comes out; anything else becomes the fallback. Runtime-neutral: WHATWG URL only.
 *
 * The raw input is screened first (printable ASCII only, no backslash, no percent-encoded slash,
 * backslash, dot or control character, no double encoding), then parsed against a fixed dummy origin,
 * and then the *normalised result* is validated again: dot segments can turn a harmless-looking
 * `/.//evil.example` into `//evil.example` only after parsing, so the check that matters is the last one.
 */

/** A dummy origin nobody can own (`.invalid` is reserved); only used to parse relative input. */
const PARSE_ORIGIN = "http://callback.invalid";
/** Resolving the output against these must stay on them: an http and an https origin, with a port. */
const CHECK_ORIGINS = ["http://callback.invalid", "https://check.invalid:8443"] as const;
export const DEFAULT_CALLBACK_PATH = "/dashboard";
/** Longer than any path of this app plus a generous query; longer input is refused rather than parsed. */
const MAX_LENGTH = 2048;

/** Printable ASCII without space and backslash: what may appear anywhere in the raw input. */
const ALLOWED_RAW = /^[\x21-\x5b\x5d-\x7e]*$/;
/** `%2f` `%5c` `%2e`, control characters `%00`-`%1f` `%7f`, and any double encoding (`%25xx`), in any case. */
const DANGEROUS_ENCODING = /%(?:2f|5c|2e|[01][0-9a-f]|7f|25[0-9a-f]{2})/i;

/**
 * A same-origin path (`/…`, with its query and fragment) for `value`, or `fallback` when `value` is not
 * one. The fallback goes through the same output check; a fallback that fails it becomes "/".
 */
export function sanitizeCallbackPath(value: unknown, fallback: string = DEFAULT_CALLBACK_PATH): string {
  return callbackPathOrNull(value) ?? (isSafeOutput(fallback) ? fallback : "/");
}

/**
 * next-auth's `redirect` callback: a relative URL becomes `${baseUrl}${sanitised path}`, an absolute one on
 * `baseUrl`'s origin `${origin}${sanitised path}`; anything else (another origin, a scheme, garbage, a
 * path the sanitiser refuses) becomes baseUrl plus the fallback.
 */
export function sameOriginRedirect(url: unknown, baseUrl: string, fallback: string = DEFAULT_CALLBACK_PATH): string {
  const base = baseUrl.replace(/\/+$/, "");
  if (typeof url !== "string") return `${base}${sanitizeCallbackPath(null, fallback)}`;
  if (url.startsWith("/")) return `${base}${sanitizeCallbackPath(url, fallback)}`;
  let target: URL;
  let origin: string;
  try {
    target = new URL(url);
    origin = new URL(baseUrl).origin;
  } catch {
    return `${base}${sanitizeCallbackPath(null, fallback)}`;
  }
  // The raw string must be plain too: URL parsing silently drops tabs and newlines, so screen it first.
  if (!ALLOWED_RAW.test(url) || target.origin !== origin || target.username !== "" || target.password !== "") {
    return `${base}${sanitizeCallbackPath(null, fallback)}`;
  }
  // An absolute URL already carries baseUrl's path (if any), so it goes back on the origin, not on baseUrl.
  const path = callbackPathOrNull(`${target.pathname}${target.search}${target.hash}`);
  return path === null ? `${base}${sanitizeCallbackPath(null, fallback)}` : `${origin}${path}`;
}

/** The same-origin path for `value`, or null when it is not one. */
function callbackPathOrNull(value: unknown): string | null {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LENGTH) return null;
  if (!ALLOWED_RAW.test(value) || DANGEROUS_ENCODING.test(value)) return null;
  if (!isSinglySlashed(value)) return null;
  let parsed: URL;
  try {
    parsed = new URL(value, PARSE_ORIGIN);
  } catch {
    return null;
  }
  if (parsed.origin !== PARSE_ORIGIN || parsed.username !== "" || parsed.password !== "") return null;
  const output = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  return isSafeOutput(output) ? output : null;
}

/** Starts with exactly one "/" (not "//", not "/\"). */
function isSinglySlashed(value: string): boolean {
  return value.startsWith("/") && value[1] !== "/" && value[1] !== "\\";
}

/** The output rule, independent of how the output was made. */
function isSafeOutput(output: string): boolean {
  if (!isSinglySlashed(output) || !ALLOWED_RAW.test(output)) return false;
  try {
    return CHECK_ORIGINS.every((origin) => new URL(output, origin).origin === origin);
  } catch {
    return false;
  }
}
