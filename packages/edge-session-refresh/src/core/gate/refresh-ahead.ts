/**
 * Refresh ahead: how early a request that asks for it (the browser's background refresh, see
 * edge-session-refresh/client's SessionRefreshAhead) may refresh, compared with an ordinary request.
 *
 * An ordinary request refreshes when the access token has at most `min(skew, lifetime / 2)` left
 * (refreshDue). A refresh-ahead request may refresh `ahead` earlier, where `ahead` is the server's
 * setting capped at a quarter of the token's lifetime. Whoever sends the marker (a hostile client too)
 * therefore can at most move one refresh per token a bounded time earlier: the fresh token is outside the
 * window for at least a quarter of its lifetime, so the marker can never cost more than 4 backend refreshes
 * per token lifetime (2 without it), and it goes through the same coordinator, so it collapses with every
 * other request's refresh of the same token.
 */
import type { BackendTokens } from "../backend/tokens";
import { accessTokenLifetimeMs, refreshDueThresholdMs, type TokenExpiry } from "../session/claims";

/**
 * The ahead window when the gate is given none: as long as the skew (default skew 30 s → a marked request
 * refreshes from 60 s left, the browser aims at 59 s left), so the browser has most of a skew of slack
 * before an ordinary request would have to refresh.
 */
export function defaultRefreshAheadMs(refreshSkewMs: number): number {
  return refreshSkewMs;
}

/** Milliseconds before expiry from which a refresh-ahead request refreshes (0 for an already-expired lifetime). */
export function refreshAheadThresholdMs(tokens: TokenExpiry, skewMs: number, aheadMs: number): number {
  return refreshDueThresholdMs(tokens, skewMs) + Math.min(Math.max(0, aheadMs), accessTokenLifetimeMs(tokens) / 4);
}

/**
 * These tokens' refresh window as moments (epoch ms, the server's clock): from `aheadFrom` a refresh-ahead
 * request refreshes, from `dueFrom` every request does. The session carries both, so the browser aims at
 * the window the server will honour for this token (its lifetime caps both), not at the nominal settings.
 */
export interface RefreshWindow {
  readonly aheadFrom: number;
  readonly dueFrom: number;
}

export function refreshWindow(tokens: TokenExpiry, skewMs: number, aheadMs: number): RefreshWindow {
  return {
    aheadFrom: tokens.accessTokenExpires - refreshAheadThresholdMs(tokens, skewMs, aheadMs),
    dueFrom: tokens.accessTokenExpires - refreshDueThresholdMs(tokens, skewMs),
  };
}

/** Whether a request carrying the refresh-ahead marker refreshes these tokens now. */
export function refreshAheadDue(tokens: BackendTokens, nowMs: number, skewMs: number, aheadMs: number): boolean {
  return tokens.accessTokenExpires - nowMs <= refreshAheadThresholdMs(tokens, skewMs, aheadMs);
}
