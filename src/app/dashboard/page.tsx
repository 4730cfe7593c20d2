import Link from "next/link";
import { redirect } from "next/navigation";
import { currentSession } from "edge-session-refresh/next";
import { sessionRuntime } from "edge-session-refresh/next";
import { AppHeader } from "../app-header";
import { SessionStatus } from "./session-status";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dashboard · Edge Session" };

export default async function Dashboard() {
  const session = await currentSession();
  // The middleware redirects signed-out visitors before this renders; this is the belt to its braces.
  if (session === null) redirect("/login?callbackUrl=%2Fdashboard");
  const profile = await sessionRuntime().backend.profile(session.accessToken);
  if (profile.kind === "rejected") redirect("/login?error=SessionExpired");
  const expires = new Date(session.accessTokenExpires).toISOString();

  return (
    <>
      <AppHeader current="dashboard" />
      <main className="page">
        <div className="page-head">
          <div>
            <p className="eyebrow">Dashboard</p>
            <h1>
              {profile.kind === "ok" && profile.value.name
                ? `Welcome back, ${String(profile.value.name).split(" ")[0]}`
                : "Welcome back"}
            </h1>
            <p className="lede">Your profile, fetched from the backend with an access token the edge keeps fresh.</p>
          </div>
        </div>

        <div className="cards cards--two">
          <section className="card" aria-labelledby="profile-title">
            <h2 id="profile-title" className="card__title">
              Profile
            </h2>
            {profile.kind === "ok" ? (
              <dl className="facts" data-testid="profile">
                <dt>Name</dt>
                <dd data-testid="profile-name">{String(profile.value.name ?? "")}</dd>
                <dt>Email</dt>
                <dd data-testid="profile-email">{String(profile.value.email ?? "")}</dd>
                <dt>User id</dt>
                <dd>
                  <code>{String(profile.value.id ?? profile.value.sub ?? "")}</code>
                </dd>
              </dl>
            ) : (
              <p role="alert" className="notice notice--warn" data-testid="profile-unavailable">
                The backend is not answering right now; you are still signed in. Reload to try again.
              </p>
            )}
          </section>

          <section className="card" aria-labelledby="token-title">
            <h2 id="token-title" className="card__title">
              Session
            </h2>
            <dl className="facts">
              <dt>Access token until</dt>
              <dd>
                <time data-testid="access-expires" dateTime={expires}>
                  {expires}
                </time>
              </dd>
            </dl>
            <SessionStatus />
            <Link className="button button--primary" href="/session" data-testid="live-session-link">
              Watch the live session →
            </Link>
          </section>
        </div>
      </main>
    </>
  );
}
