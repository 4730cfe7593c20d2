"use client";
/** The access-token expiry as the browser's useSession() sees it, and a ticking countdown to it. */
import { useSession } from "next-auth/react";
import { useSyncExternalStore } from "react";

/**
 * When the session's access token expires (epoch ms), from next-auth's `useSession()`: the session
 * callback puts `accessTokenExpires` on the session (types/next-auth.d.ts). Null while loading, signed
 * out, or when the session carries no expiry. Updates whenever next-auth refetches the session.
 */
export function useAccessTokenExpiry(): number | null {
  const { data } = useSession();
  // Read without the Session augmentation of edge-session-refresh/next, so this entry stands alone.
  const expires = (data as { accessTokenExpires?: unknown } | null)?.accessTokenExpires;
  return typeof expires === "number" && Number.isFinite(expires) ? expires : null;
}

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
