import Link from "next/link";
import { currentSession } from "edge-session-refresh/next";
import { AppHeader } from "./app-header";

export const dynamic = "force-dynamic";

export default async function Home() {
  const session = await currentSession();
  return (
    <>
      <AppHeader />
      <main className="page page--narrow">
        <section className="hero">
          <p className="eyebrow">next-auth v4 · edge middleware</p>
          <h1>Sessions that stay signed in, however many tabs are open</h1>
          <p className="lede">
            Access tokens are refreshed once per expiry at the edge, shared by every tab and instance, so a rotating
            refresh token is never used twice.
          </p>
          <div className="hero__actions">
            {session ? (
              <>
                <Link className="button button--primary" href="/dashboard">
                  Go to your dashboard
                </Link>
                <Link className="button" href="/session">
                  Live session
                </Link>
              </>
            ) : (
              <Link className="button button--primary" href="/login">
                Sign in
              </Link>
            )}
          </div>
        </section>
      </main>
    </>
  );
}
