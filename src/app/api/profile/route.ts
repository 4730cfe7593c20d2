/** The backend profile for the current access token, as JSON. The middleware has refreshed it already. */
import { NextResponse } from "next/server";
import { currentSession } from "edge-session-refresh/next";
import { sessionRuntime } from "edge-session-refresh/next";
import { apiError } from "edge-session-refresh/next";

/** A personal answer: never stored by a shared cache, nor by the browser's. */
const PRIVATE_NO_STORE = "private, no-store";

export const dynamic = "force-dynamic";

export async function GET(): Promise<NextResponse> {
  const session = await currentSession();
  if (session === null) return apiError("signed_out", 401);
  const profile = await sessionRuntime().backend.profile(session.accessToken);
  switch (profile.kind) {
    case "ok":
      return NextResponse.json(
        { profile: profile.value, accessTokenExpires: session.accessTokenExpires },
        { headers: { "cache-control": PRIVATE_NO_STORE } },
      );
    case "rejected":
      return apiError("session_expired", 401);
    case "unavailable":
    case "malformed":
    case "misconfigured":
      return apiError("backend_unavailable", 503);
  }
}
