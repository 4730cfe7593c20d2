"use client";
/** A live countdown to the access token's expiry: the browser's useSession() value once it has one. */
import { formatRemaining, useAccessTokenExpiry, useCountdown } from "edge-session-refresh/client";

export function ExpiryCountdown({ serverExpires }: { serverExpires: number }) {
  const clientExpires = useAccessTokenExpiry();
  // useSession() is refetched on focus, so it may know a newer expiry than the page that was rendered.
  const expires = clientExpires !== null && clientExpires > serverExpires ? clientExpires : serverExpires;
  const remaining = useCountdown(expires);
  const expired = remaining !== null && remaining === 0;
  return (
    <div
      className="countdown"
      data-testid="expiry-countdown"
      data-expires={expires}
      data-remaining-ms={remaining ?? ""}
    >
      <p className={expired ? "countdown__value countdown__value--expired" : "countdown__value"} aria-live="polite">
        {remaining === null ? "…" : expired ? "expired" : formatRemaining(remaining)}
      </p>
      <p className="muted small">
        {expired ? "The next request refreshes it, once for all tabs. " : "Until "}
        {!expired ? (
          <time dateTime={new Date(expires).toISOString()} suppressHydrationWarning>
            {new Date(expires).toLocaleTimeString()}
          </time>
        ) : null}
      </p>
    </div>
  );
}
