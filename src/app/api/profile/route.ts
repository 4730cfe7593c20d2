/** The backend profile for the current access token, as JSON. The middleware has refreshed it already. */
import { NextResponse } from "next/server";
import { currentSession, sessionRuntime } from "@/next";

export const dynamic = "force-dynamic";

export async function GET(): Promise<NextResponse> {
  const session = await currentSession();
  if (session === null) return NextResponse.json({ error: "signed_out", message: "Sign in first." }, { status: 401 });
  const profile = await sessionRuntime().backend.profile(session.accessToken);
  switch (profile.kind) {
    case "ok":
      return NextResponse.json({ profile: profile.value, accessTokenExpires: session.accessTokenExpires });
    case "rejected":
      return NextResponse.json({ error: "session_expired", message: "The backend no longer accepts this session." }, { status: 401 });
    case "unavailable":
    case "malformed":
      return NextResponse.json(
        { error: "backend_unavailable", message: "The backend is not answering; try again shortly.", retryAfterSeconds: 2 },
        { status: 503, headers: { "retry-after": "2" } },
      );
  }
}
