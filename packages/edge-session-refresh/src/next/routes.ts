/**
 * Which paths the session middleware guards, and how. Protected pages redirect to the login page when
 * signed out; protected APIs answer 401 JSON; every other matched path (the home page, /api/auth/session)
 * only gets its session refreshed when it has one, and is never turned away. The app names its own
 * prefixes (createSessionMiddleware's config); this file holds only the rule.
 */

export type RouteKind = "page" | "api" | "optional";

/** The sign-in page when the app names none (`loginPath`), next-auth's usual `pages.signIn`. */
export const DEFAULT_LOGIN_PATH = "/login";

/** The rule for any app: a path under a protected API prefix is "api", under a page prefix "page", else "optional". */
export function routeKindFor(pages: readonly string[], apis: readonly string[]): (pathname: string) => RouteKind {
  return (pathname) => {
    if (apis.some((prefix) => underPrefix(pathname, prefix))) return "api";
    if (pages.some((prefix) => underPrefix(pathname, prefix))) return "page";
    return "optional";
  };
}

/**
 * A callbackUrl we are willing to redirect to: a same-origin path only. The core's sanitiser is the one
 * rule (it validates the *normalised* path, so `/.//host` and friends cannot become `//host`).
 */
export { sanitizeCallbackPath as safeCallbackPath } from "../core/navigation/callback-path";

/** The path is the prefix itself or below it (`/dashboard`, `/dashboard/x`; not `/dashboards`). */
export function underPrefix(pathname: string, prefix: string): boolean {
  return pathname === prefix || pathname.startsWith(`${prefix}/`);
}
