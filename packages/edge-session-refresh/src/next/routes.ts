/**
 * Which paths the session middleware guards, and how. Protected pages redirect to the login page when
 * signed out; protected APIs answer 401 JSON; every other matched path (the home page, /api/auth/session)
 * only gets its session refreshed when it has one, and is never turned away. The app names its own
 * prefixes (createSessionMiddleware's config); this file holds only the rule.
 */
import { underPrefix } from "../core/navigation/under-prefix";

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
