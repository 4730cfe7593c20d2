import { redirect } from "next/navigation";
import { currentSession, sessionRuntime } from "@/next";
import { SessionStatus } from "./session-status";
import { SignOutButton } from "./sign-out-button";

export const dynamic = "force-dynamic";

export default async function Dashboard() {
  const session = await currentSession();
  // The middleware redirects signed-out visitors before this renders; this is the belt to its braces.
  if (session === null) redirect("/login?callbackUrl=%2Fdashboard");
  const profile = await sessionRuntime().backend.profile(session.accessToken);
  if (profile.kind === "rejected") redirect("/login?error=SessionExpired");

  return (
    <main>
      <h1>Dashboard</h1>
      {profile.kind === "ok" ? (
        <dl data-testid="profile">
          <dt>Name</dt>
          <dd data-testid="profile-name">{String(profile.value.name ?? "")}</dd>
          <dt>Email</dt>
          <dd data-testid="profile-email">{String(profile.value.email ?? "")}</dd>
          <dt>User id</dt>
          <dd>{String(profile.value.id ?? profile.value.sub ?? "")}</dd>
        </dl>
      ) : (
        <p role="alert" className="error" data-testid="profile-unavailable">
          The backend is not answering right now; you are still signed in. Reload to try again.
        </p>
      )}
      <p className="muted">
        Access token valid until <time data-testid="access-expires" dateTime={new Date(session.accessTokenExpires).toISOString()}>{new Date(session.accessTokenExpires).toISOString()}</time>
      </p>
      <SessionStatus />
      <SignOutButton />
    </main>
  );
}
