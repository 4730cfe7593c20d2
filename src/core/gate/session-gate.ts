/**
 * The per-request session decision, shared by the edge middleware and anything else that fronts pages:
 * read the cookie, and if the access token is due, refresh it through the coordinator and say which
 * cookies to write. Pure of any framework: a cookie jar in, a result value out.
 */
import { joinSessionCookie, sessionCookieName, sessionCookieNamesIn } from "../session/chunks";
import { asSessionClaims, refreshDue, withTokens, type SessionClaims } from "../session/claims";
import type { SessionCodec } from "../session/codec";
import { applyCookieWrites, sessionCookieWrites, type CookieWrite } from "../session/cookie-jar";
import type { RefreshCoordinator } from "../refresh/coordinator";

/** The Server-Timing outcomes of CONTRACT.md. */
export type GateOutcome = "valid" | "refreshed" | "joined" | "replayed" | "anonymous" | "rejected" | "unavailable";

export type GateResult =
  /** No usable session. `writes` expires a cookie that was present but unreadable. */
  | { readonly outcome: "anonymous"; readonly writes: readonly CookieWrite[]; readonly jar: Map<string, string> }
  | { readonly outcome: "valid"; readonly claims: SessionClaims }
  /** New tokens: write `writes` on the response and forward `jar` as the request's cookies. */
  | {
      readonly outcome: "refreshed" | "joined" | "replayed";
      readonly claims: SessionClaims;
      readonly writes: readonly CookieWrite[];
      readonly jar: Map<string, string>;
    }
  /** The backend refused the refresh: the cookies are cleared. */
  | { readonly outcome: "rejected"; readonly writes: readonly CookieWrite[]; readonly jar: Map<string, string> }
  /**
   * No refresh possible now. `claims` is the old session, kept; `stillValid` says whether its access token
   * has not expired yet, in which case the request can go on with it.
   */
  | { readonly outcome: "unavailable"; readonly claims: SessionClaims; readonly stillValid: boolean; readonly retryAfterSeconds: number; readonly detail: string };

export interface SessionGate {
  /** The session cookie's name for this deployment (`__Secure-` prefixed on https). */
  readonly cookieName: string;
  check(jar: ReadonlyMap<string, string>): Promise<GateResult>;
}

export interface SessionGateOptions {
  readonly codec: SessionCodec;
  readonly coordinator: RefreshCoordinator;
  readonly secureCookies: boolean;
  readonly refreshSkewMs: number;
  readonly sessionMaxAgeSeconds: number;
  readonly nowMs?: () => number;
}

export function createSessionGate(options: SessionGateOptions): SessionGate {
  const { codec, coordinator, secureCookies } = options;
  const nowMs = options.nowMs ?? Date.now;
  const cookieName = sessionCookieName(secureCookies);

  function cleared(jar: ReadonlyMap<string, string>): { writes: CookieWrite[]; jar: Map<string, string> } {
    const writes = sessionCookieWrites(jar, cookieName, null, { secure: secureCookies, expires: 0 });
    return { writes, jar: applyCookieWrites(jar, writes) };
  }

  return {
    cookieName,
    async check(jar) {
      if (sessionCookieNamesIn(jar.keys(), cookieName).length === 0) return { outcome: "anonymous", writes: [], jar: new Map(jar) };
      // Present but unreadable (tampered, foreign, truncated, absurdly many chunks): signed out, and cleared
      // so the browser stops sending it.
      const jwe = joinSessionCookie(jar, cookieName);
      const claims = jwe === null ? null : asSessionClaims(await codec.decode(jwe));
      if (claims === null) return { outcome: "anonymous", ...cleared(jar) };

      const now = nowMs();
      if (!refreshDue(claims, now, options.refreshSkewMs)) return { outcome: "valid", claims };

      const result = await coordinator.refresh(claims);
      switch (result.kind) {
        case "refreshed":
        case "joined":
        case "replayed": {
          const next = withTokens(claims, result.tokens);
          const fresh = await codec.encode(next, options.sessionMaxAgeSeconds);
          const writes = sessionCookieWrites(jar, cookieName, fresh, {
            secure: secureCookies,
            expires: now + options.sessionMaxAgeSeconds * 1000,
          });
          return { outcome: result.kind, claims: next, writes, jar: applyCookieWrites(jar, writes) };
        }
        case "rejected":
          return { outcome: "rejected", ...cleared(jar) };
        case "unavailable":
          return {
            outcome: "unavailable",
            claims,
            stillValid: claims.accessTokenExpires > now,
            retryAfterSeconds: result.retryAfterSeconds,
            detail: result.detail,
          };
      }
    },
  };
}
