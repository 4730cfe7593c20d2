"use client";
/**
 * next-auth's SessionProvider for client components (useSession, signIn, signOut), tuned for a session
 * the edge middleware refreshes:
 *
 * - refetchOnWindowFocus: a refocused tab refetches /api/auth/session, which the middleware fronts, so the
 *   refetch joins (or leads) the one coordinated refresh instead of racing it;
 * - refetchInterval 0: no polling. The middleware refreshes on demand, on the next request, so a poll
 *   would only add requests (and, through next-auth's broadcast, one per open tab per poll);
 * - hidden tabs that hold a session ignore other tabs' "session fetched" broadcasts and refetch when they
 *   become visible instead (edge-session-refresh/client, session-broadcast.ts), so one focus does not make every tab
 *   refetch;
 * - <SessionRefreshAhead />: while a tab is visible, one tab refreshes the session in the background
 *   shortly before the skew window, so navigations find it valid (docs/REFRESH-AHEAD.md).
 */
import { SessionProvider, useSession } from "next-auth/react";
import { useEffect, type ReactNode } from "react";
import { installBroadcastDeferral, SessionRefreshAhead } from "edge-session-refresh/client";

// At module evaluation, before SessionProvider's effects add next-auth's own storage listener.
const setHoldsSession = typeof window === "undefined" ? () => {} : installBroadcastDeferral(window);

function TrackSession() {
  const { status } = useSession();
  useEffect(() => setHoldsSession(status === "authenticated"), [status]);
  return null;
}

export function SessionProviders({
  children,
  refreshSkewSeconds,
}: {
  children: ReactNode;
  refreshSkewSeconds?: number;
}) {
  return (
    <SessionProvider refetchOnWindowFocus refetchInterval={0}>
      <TrackSession />
      {refreshSkewSeconds !== undefined && <SessionRefreshAhead skewSeconds={refreshSkewSeconds} />}
      {children}
    </SessionProvider>
  );
}
