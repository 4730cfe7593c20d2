"use client";
/** What the browser's useSession() sees; refetched by next-auth when the tab regains focus. */
import { useSession } from "next-auth/react";
import { formatRemaining, useAccessTokenExpiry, useCountdown } from "edge-session-refresh/client";

export function SessionStatus() {
  const { data, status } = useSession();
  const expires = useAccessTokenExpiry();
  const remaining = useCountdown(expires);
  return (
    <p className="muted" data-testid="session-status" data-status={status} data-expires={expires ?? ""}>
      Client session: {status}
      {data?.user?.email ? ` as ${data.user.email}` : ""}
      {expires !== null ? `, access token until ${new Date(expires).toISOString()}` : ""}
      {remaining !== null
        ? ` (${remaining > 0 ? `${formatRemaining(remaining)} left` : "expired; the next request refreshes it"})`
        : ""}
    </p>
  );
}
