/**
 * Which paths the session middleware guards, and how. Protected pages redirect to /login when signed
 * out; protected APIs answer 401 JSON; every other matched path (the home page, /api/auth/session) only
 * gets its session refreshed when it has one, and is never turned away.
 */

export type RouteKind = "page" | "api" | "optional";

export const PROTECTED_PAGES: readonly string[] = ["/dashboard", "/session"];
export const PROTECTED_APIS: readonly string[] = ["/api/profile", "/api/backend"];
export const LOGIN_PATH = "/login";

/** The rule for any app: a path under a protected API prefix is "api", under a page prefix "page", else "optional". */
export function routeKindFor(pages: readonly string[], apis: readonly string[]): (pathname: string) => RouteKind {
  return (pathname) => {
    if (apis.some((prefix) => underPrefix(pathname, prefix))) return "api";
    if (pages.some((prefix) => underPrefix(pathname, prefix))) return "page";
    return "optional";
  };
}

/** This app's rule. */
export const routeKind = routeKindFor(PROTECTED_PAGES, PROTECTED_APIS);

/**
 * A callbackUrl we are willing to redirect to: a same-origin path only. The core's sanitiser is the one
 * rule (it validates the *normalised* path, so `/.//host` and friends cannot become `//host`).
 */
export { sanitizeCallbackPath as safeCallbackPath } from "../core/navigation/callback-path";

/** The path is the prefix itself or below it (`/dashboard`, `/dashboard/x`; not `/dashboards`). */
export function underPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}
