/**
 * Which paths the session middleware guards, and how. Protected pages redirect to /login when signed
 * out; protected APIs answer 401 JSON; every other matched path (the home page, /api/auth/session) only
 * gets its session refreshed when it has one, and is never turned away.
 */

export type RouteKind = "page" | "api" | "optional";

export const PROTECTED_PAGES: readonly string[] = ["/dashboard", "/session"];
export const PROTECTED_APIS: readonly string[] = ["/api/profile", "/api/backend"];
export const LOGIN_PATH = "/login";

export function routeKind(pathname: string): RouteKind {
  if (PROTECTED_APIS.some((prefix) => underPrefix(pathname, prefix))) return "api";
  if (PROTECTED_PAGES.some((prefix) => underPrefix(pathname, prefix))) return "page";
  return "optional";
}

/**
 * A callbackUrl we are willing to redirect to: a same-origin path only. The core's sanitiser is the one
 * rule (it validates the *normalised* path, so `/.//host` and friends cannot become `//host`).
 */
export { sanitizeCallbackPath as safeCallbackPath } from "@/core/navigation/callback-path";

function underPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}
