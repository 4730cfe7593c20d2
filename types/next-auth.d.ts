/**
 * The session as our `session` callback builds it (src/auth/options.ts): identity and the access
 * token's expiry, never a token. Typed here so `useSession().data.accessTokenExpires` needs no cast.
 */
import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user?: DefaultSession["user"] & { id?: string };
    /** When the backend access token expires, epoch milliseconds; null if the session has none. */
    accessTokenExpires?: number | null;
    /** Set while the backend could not refresh the session (it is kept; the next request tries again). */
    error?: "RefreshUnavailable";
  }
}
