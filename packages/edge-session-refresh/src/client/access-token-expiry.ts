"use client";
/** The access-token expiry as the browser's useSession() sees it, and a ticking countdown to it. */
import { useSession } from "next-auth/react";
import { useSyncExternalStore } from "react";
import { newestExpiry } from "./refresh-ahead/refresh-ahead-plan";
import { parseRefreshAheadState, REFRESH_AHEAD_STATE_KEY } from "./refresh-ahead/refresh-ahead-state";

/**
 * When the session's access token expires (epoch ms), from next-auth's `useSession()`: the session
 * callback puts `accessTokenExpires` on the session (typed by the Session augmentation in edge-session-refresh/next). Null while loading, signed
 * out, or when the session carries no expiry. Updates whenever next-auth refetches the session, and when
 * any tab's background refresh (SessionRefreshAhead) renews it: the newer of the two.
 */
export function useAccessTokenExpiry(): number | null {
  const { data } = useSession();
  const renewed = useSyncExternalStore(subscribeToRenewals, renewedExpiry, noRenewal);
  // Read without the Session augmentation of edge-session-refresh/next, so this entry stands alone.
  const expires = (data as { accessTokenExpires?: unknown } | null)?.accessTokenExpires;
  if (typeof expires !== "number" || !Number.isFinite(expires)) return null;
  return newestExpiry(expires, renewed);
}

/** The newest expiry a background refresh stored (refresh-ahead-state.ts), from any tab. */
function subscribeToRenewals(onChange: () => void): () => void {
  const listener = (event: StorageEvent) => {
    if (event.key === REFRESH_AHEAD_STATE_KEY) onChange();
  };
  // This tab's own writes raise no storage event; the tab that renewed re-reads its session instead.
  window.addEventListener("storage", listener);
  return () => window.removeEventListener("storage", listener);
}
function renewedExpiry(): number | null {
  try {
    return parseRefreshAheadState(window.localStorage.getItem(REFRESH_AHEAD_STATE_KEY)).expiresAt;
  } catch {
    return null;
  }
}
const noRenewal = () => null;

/** Whole seconds of the clock, as an external store that ticks; null during server rendering and hydration. */
function subscribeToClock(onTick: () => void): () => void {
  const timer = setInterval(onTick, 250);
  return () => clearInterval(timer);
}
const clockSeconds = () => Math.floor(Date.now() / 1000);
const noClock = () => null;

/** Milliseconds left until `epochMs` (never negative), to the second, updated as the clock ticks; null for null. */
export function useCountdown(epochMs: number | null): number | null {
  const nowSeconds = useSyncExternalStore(subscribeToClock, clockSeconds, noClock);
  if (epochMs === null || nowSeconds === null) return null;
  return Math.max(0, epochMs - nowSeconds * 1000);
}

/** "4:05", "0:09", "1:02:03". */
export function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const mm = hours > 0 ? String(minutes).padStart(2, "0") : String(minutes);
  return `${hours > 0 ? `${hours}:` : ""}${mm}:${String(seconds).padStart(2, "0")}`;
}
