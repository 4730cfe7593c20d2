/**
 * The per-request session decision, shared by the edge middleware, next-auth's jwt callback and anything
 * else that fronts pages. `refreshClaims` is the one refresh decision (claims in; fresh claims, or what
 * became of them, out); `check` wraps it with the cookie: read it, decide, say which cookies to write.
 * Pure of any framework: a cookie jar in, a result value out.
 */
import { systemClock, type Clock } from "../clock";
import type { RefreshCoordinator } from "../refresh/coordinator";
import { joinSessionCookie, sessionCookieName, sessionCookieNamesIn } from "../session/chunks";
import { asSessionClaims, refreshDue, withTokens, type SessionClaims, type TokenExpiry } from "../session/claims";
import type { SessionCodec } from "../session/codec";
import { applyCookieWrites, sessionCookieWrites, type CookieWrite } from "../session/cookie-jar";
import { defaultRefreshAheadMs, refreshAheadDue, refreshWindow, type RefreshWindow } from "./refresh-ahead";

/** The Server-Timing outcomes of docs/ARCHITECTURE.md ("Behaviour"). */
export type GateOutcome = "valid" | "refreshed" | "joined" | "replayed" | "anonymous" | "rejected" | "unavailable";

/** The one refresh decision for a session's claims. */
export type SessionStep =
  | { readonly outcome: "valid"; readonly claims: SessionClaims }
  | { readonly outcome: "refreshed" | "joined" | "replayed"; readonly claims: SessionClaims }
  /** The backend refused the refresh token: the session is over. */
  | { readonly outcome: "rejected" }
  /**
   * No refresh possible now. `claims` is the old session, kept; `stillValid` says whether its access token
   * has not expired yet, in which case the request can go on with it.
   */
  | {
      readonly outcome: "unavailable";
      readonly claims: SessionClaims;
      readonly stillValid: boolean;
      readonly retryAfterSeconds: number;
    };

/** What the gate decided for a request (`outcome`), the cookies to write, and the claims when there is a session. */
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
  | Extract<SessionStep, { outcome: "unavailable" }>;

/** The session decision for one request: check the cookies, refresh when due, and say which cookies to write. */
export interface SessionGate {
  /** The session cookie's name for this deployment (`__Secure-` prefixed on https). */
  readonly cookieName: string;
  /** Refreshes the claims through the coordinator when their access token is due. */
  refreshClaims(claims: SessionClaims, request?: GateRequest): Promise<SessionStep>;
  /**
   * When these tokens fall due (epoch ms): from `aheadFrom` for a refresh-ahead request, from `dueFrom` for
   * every request; the thresholds refreshClaims applies, for the browser to aim at.
   */
  refreshWindow(tokens: TokenExpiry): RefreshWindow;
  check(jar: ReadonlyMap<string, string>, request?: GateRequest): Promise<GateResult>;
}

export interface GateRequest {
  /**
   * The request asks to be refreshed ahead (the browser's background refresh): due `refreshAheadMs`
   * earlier than an ordinary request, within the bound of ./refresh-ahead.ts. Anyone may ask.
   */
  readonly ahead?: boolean;
}

export interface SessionGateOptions {
  readonly codec: SessionCodec;
  readonly coordinator: RefreshCoordinator;
  readonly secureCookies: boolean;
  readonly refreshSkewMs: number;
  readonly sessionMaxAgeSeconds: number;
  /**
   * How much earlier a refresh-ahead request refreshes; default the skew. Capped by its cost (at most 5% more
   * backend refreshes, never under 1 s) and at a quarter of the lifetime (./refresh-ahead.ts).
   */
  readonly refreshAheadMs?: number;
  readonly clock?: Clock;
}

export function createSessionGate(options: SessionGateOptions): SessionGate {
  const { codec, coordinator, secureCookies } = options;
  const clock = options.clock ?? systemClock;
  const cookieName = sessionCookieName(secureCookies);

  function cleared(jar: ReadonlyMap<string, string>): { writes: CookieWrite[]; jar: Map<string, string> } {
    const writes = sessionCookieWrites(jar, cookieName, null, { secure: secureCookies, expires: 0 });
    return { writes, jar: applyCookieWrites(jar, writes) };
  }

  const refreshAheadMs = options.refreshAheadMs ?? defaultRefreshAheadMs(options.refreshSkewMs);

  async function refreshClaims(claims: SessionClaims, request?: GateRequest): Promise<SessionStep> {
    const due =
      request?.ahead === true
        ? refreshAheadDue(claims, clock.now(), options.refreshSkewMs, refreshAheadMs)
        : refreshDue(claims, clock.now(), options.refreshSkewMs);
    if (!due) return { outcome: "valid", claims };
    const result = await coordinator.refresh(claims);
    switch (result.kind) {
      case "refreshed":
      case "joined":
      case "replayed":
        return { outcome: result.kind, claims: withTokens(claims, result.tokens) };
      case "rejected":
        return { outcome: "rejected" };
      case "unavailable":
        return {
          outcome: "unavailable",
          claims,
          stillValid: claims.accessTokenExpires > clock.now(),
          retryAfterSeconds: result.retryAfterSeconds,
        };
    }
  }

  return {
    cookieName,
    refreshClaims,
    refreshWindow: (tokens) => refreshWindow(tokens, options.refreshSkewMs, refreshAheadMs),
    async check(jar, request) {
      if (sessionCookieNamesIn(jar.keys(), cookieName).length === 0)
        return { outcome: "anonymous", writes: [], jar: new Map(jar) };
      // Present but unreadable (tampered, foreign, truncated, absurdly many chunks): signed out, and cleared
      // so the browser stops sending it.
      const jwe = joinSessionCookie(jar, cookieName);
      const claims = jwe === null ? null : asSessionClaims(await codec.decode(jwe));
      if (claims === null) return { outcome: "anonymous", ...cleared(jar) };

      const step = await refreshClaims(claims, request);
      switch (step.outcome) {
        case "valid":
        case "unavailable":
          return step;
        case "rejected":
          return { outcome: "rejected", ...cleared(jar) };
        default: {
          const fresh = await codec.encode(step.claims, options.sessionMaxAgeSeconds);
          const writes = sessionCookieWrites(jar, cookieName, fresh, {
            secure: secureCookies,
            expires: clock.now() + options.sessionMaxAgeSeconds * 1000,
          });
          return { outcome: step.outcome, claims: step.claims, writes, jar: applyCookieWrites(jar, writes) };
        }
      }
    },
  };
}

/** The Server-Timing value every response that passed the gate carries (docs/ARCHITECTURE.md, "Behaviour"). */
export function sessionServerTiming(outcome: GateOutcome, durationMs: number): string {
  return `session;desc="${outcome}";dur=${Math.max(0, durationMs).toFixed(1)}`;
}
