/** The backend profile for the current access token, as JSON. The middleware has refreshed it already. */
import { NextResponse } from "next/server";
import { currentSession, sessionRuntime } from "@/next";

export const dynamic = "force-dynamic";

/** The profile is personal: never stored by a shared cache, nor by the browser's. */
const PRIVATE = { "cache-control": "private, no-store" };

export async function GET(): Promise<NextResponse> {
  const session = await currentSession();
  if (session === null) return NextResponse.json({ error: "signed_out", message: "Sign in first." }, { status: 401, headers: PRIVATE });
  const profile = await sessionRuntime().backend.profile(session.accessToken);
  switch (profile.kind) {
    case "ok":
      return NextResponse.json({ profile: profile.value, accessTokenExpires: session.accessTokenExpires }, { headers: PRIVATE });
    case "rejected":
      return NextResponse.json({ error: "session_expired", message: "The backend no longer accepts this session." }, { status: 401, headers: PRIVATE });
    case "unavailable":
    case "malformed":
      return NextResponse.json(
        { error: "backend_unavailable", message: "The backend is not answering; try again shortly.", retryAfterSeconds: 2 },
        { status: 503, headers: { ...PRIVATE, "retry-after": "2" } },
      );
  }
}
