/**
 * The backend proxy's path rules: which `/api/backend/<path>` maps to which backend URL, and which never
 * does. Anything a server or a URL parser might normalise into another path is refused rather than
 * interpreted; the allow-list applies to the plain path, the deny-list (the backend's auth paths) to its
 * case-folded, decoded form as well.
 */
import { underPrefix } from "../navigation/under-prefix";

/** Where the proxy is mounted in the app. */
export const BACKEND_PROXY_MOUNT = "/api/backend";

export interface PathRules {
  /** Backend path prefixes that may be proxied; a prefix ending in "/" matches anything under it. */
  readonly allow: readonly string[];
  /** Backend paths never proxied, with everything under them (already normalizedForDeny). */
  readonly deny: readonly string[];
}

/**
 * The pathname exactly as written in the URL, without the WHATWG parser's dot-segment resolution (which
 * would turn `/api/%2e%2e/auth` into `/auth` before any check could see it).
 */
export function rawPathname(url: string): string {
  const afterScheme = url.indexOf("://");
  const start = afterScheme === -1 ? 0 : url.indexOf("/", afterScheme + 3);
  if (start === -1) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end === -1 ? url.slice(start) : url.slice(start, start + end);
}

/**
 * The backend path from the proxy URL's raw (still percent-encoded) pathname, or null when it is not a
 * plain path: anything a server or a URL parser might normalise into another path is refused rather than
 * interpreted.
 */
export function backendPath(pathname: string): string | null {
  if (!pathname.startsWith(`${BACKEND_PROXY_MOUNT}/`)) return null;
  const path = pathname.slice(BACKEND_PROXY_MOUNT.length);
  if (path === "/" || path.includes("\\") || path.includes(";") || path.includes("//")) return null;
  if (/%(2f|5c|2e|00|3b)/i.test(path)) return null;
  const segments = path.slice(1).split("/");
  // A scheme in the first segment (`http:`, `javascript:`) reads as an absolute URL to some parsers.
  if (/^[a-z][a-z0-9+.-]*:/i.test(segments[0] ?? "")) return null;
  for (const segment of segments) {
    if (segment === "." || segment === "..") return null;
    try {
      if (/[\u0000-\u001f\u007f]/.test(decodeURIComponent(segment))) return null;
    } catch {
      return null;
    }
  }
  return path;
}

/** Whether the proxy may forward this (plain) backend path: never a denied path, else only an allowed one. */
export function isAllowed(path: string, config: PathRules): boolean {
  const forDeny = normalizedForDeny(safeDecode(path));
  if (config.deny.some((denied) => underPrefix(forDeny, denied))) return false;
  return config.allow.some((prefix) => (prefix.endsWith("/") ? path.startsWith(prefix) : underPrefix(path, prefix)));
}

/** Case-folded, trailing slashes removed: many backends route `/API/Auth/` to `/api/auth`. */
export function normalizedForDeny(path: string): string {
  const trimmed = path.toLowerCase().replace(/\/+$/, "");
  return trimmed === "" ? "/" : trimmed;
}

function safeDecode(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** The target URL, or null if URL parsing would move it off the backend or change its path. */
export function targetUrl(backendUrl: string, path: string, search: string): URL | null {
  const base = new URL(backendUrl);
  const target = new URL(`${backendUrl}${path}${search}`);
  const expectedPath = `${base.pathname.replace(/\/+$/, "")}${path}`;
  if (target.origin !== base.origin || target.pathname !== expectedPath) return null;
  return target;
}

/**
 * A backend redirect, as a URL under the proxy, or null. Only relative locations pass: `/x` on the
 * backend becomes `/api/backend/x` (the base URL's own path taken off), `x` stays relative to the
 * current URL; absolute and protocol-relative ones are dropped so the backend cannot send the browser off.
 */
export function relativeLocation(location: string | null, basePath: string): string | null {
  if (
    location === null ||
    location.startsWith("//") ||
    location.includes("\\") ||
    /^[a-z][a-z0-9+.-]*:/i.test(location)
  )
    return null;
  if (!location.startsWith("/")) return location;
  if (basePath === "") return `${BACKEND_PROXY_MOUNT}${location}`;
  if (location.startsWith(`${basePath}/`)) return `${BACKEND_PROXY_MOUNT}${location.slice(basePath.length)}`;
  return null;
}
