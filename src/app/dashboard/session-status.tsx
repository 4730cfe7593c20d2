"use client";
/** What the browser's useSession() sees; refetched by next-auth when the tab regains focus. */
import { useSession } from "next-auth/react";

export function SessionStatus() {
  const { data, status } = useSession();
  const expires = (data as { accessTokenExpires?: number | null } | null)?.accessTokenExpires;
  return (
    <p className="muted" data-testid="session-status" data-status={status}>
      Client session: {status}
      {data?.user?.email ? ` as ${data.user.email}` : ""}
      {expires ? `, access token until ${new Date(expires).toISOString()}` : ""}
    </p>
  );
}
