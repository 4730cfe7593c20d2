/**
 * Refresh ahead: how early a request that asks for it (the browser's background refresh, see
 * edge-session-refresh/client's SessionRefreshAhead) may refresh, compared with an ordinary request.
 *
 * An ordinary request refreshes when the access token has at most `min(skew, lifetime / 2)` left
 * (refreshDue). A refresh-ahead request may refresh `ahead` earlier, where `ahead` is the server's
 * setting capped twice:
 * - at what it may cost: a token refreshed `ahead` early is used for `lifetime − skew − ahead` instead of
 *   `lifetime − skew`, so `ahead` is at most MAX_REFRESH_AHEAD_COST of the latter (over 1 + that share):
 *   at most 5% more backend refreshes than without refresh ahead, whoever sends the marker. Never below
 *   MIN_REFRESH_AHEAD_MS, which a background request needs to be answered before the skew window opens
 *   (so tokens that live less than about 21 s beyond the skew cost more than 5%);
 * - at a quarter of the token's lifetime: a fresh token is outside the window for at least a quarter of its
 *   lifetime, so the marker can never cost more than 4 backend refreshes per token lifetime (2 without it).
 * It goes through the same coordinator, so it collapses with every other request's refresh of the same token.
 */
import type { BackendTokens } from "../backend/tokens";
import { accessTokenLifetimeMs, refreshDueThresholdMs, type TokenExpiry } from "../session/claims";

/** Refreshing ahead costs at most this share more backend refreshes than refreshing at the skew. */
export const MAX_REFRESH_AHEAD_COST = 0.05;
/**
 * The ahead window is never narrower than this (the quarter-lifetime cap aside): time for a background
 * request to be sent and answered before the skew window opens, where a page load would wait for it.
 */
export const MIN_REFRESH_AHEAD_MS = 1000;

/**
 * The ahead window when the gate is given none: as long as the skew. The cost cap narrows it (default
 * 5-minute tokens and 30 s skew: 12.857 s, so a marked request refreshes from 42.857 s left and the browser
 * aims at 41.857 s left).
 */
export function defaultRefreshAheadMs(refreshSkewMs: number): number {
  return refreshSkewMs;
}

/** How much earlier than an ordinary request a refresh-ahead request refreshes these tokens: `ahead` with both caps. */
export function refreshAheadWindowMs(tokens: TokenExpiry, skewMs: number, aheadMs: number): number {
  const lifetimeMs = accessTokenLifetimeMs(tokens);
  // Infinity when the lifetime is unknown (a token without its receipt time): then only `ahead` applies.
  const usedWithoutMs = lifetimeMs - refreshDueThresholdMs(tokens, skewMs);
  const costCapMs = Math.max(
    MIN_REFRESH_AHEAD_MS,
    Math.floor((usedWithoutMs * MAX_REFRESH_AHEAD_COST) / (1 + MAX_REFRESH_AHEAD_COST)),
  );
  return Math.min(Math.max(0, aheadMs), lifetimeMs / 4, costCapMs);
}

/** Milliseconds before expiry from which a refresh-ahead request refreshes (0 for an already-expired lifetime). */
export function refreshAheadThresholdMs(tokens: TokenExpiry, skewMs: number, aheadMs: number): number {
  return refreshDueThresholdMs(tokens, skewMs) + refreshAheadWindowMs(tokens, skewMs, aheadMs);
}

/**
 * These tokens' refresh window as moments (epoch ms, the server's clock): from `aheadFrom` a refresh-ahead
 * request refreshes, from `dueFrom` every request does. The session carries both, so the browser aims at
 * the window the server will honour for this token (its caps applied), not at the nominal settings.
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
