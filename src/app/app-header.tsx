/** The header every page shares: the app's name, where you can go, and who is signed in. */
import Link from "next/link";
import { currentSession } from "@/next/public";
import { SignOutButton } from "./dashboard/sign-out-button";

export const APP_NAME = "Edge Session";

export async function AppHeader({ current }: { current?: "dashboard" | "session" | "login" }) {
  const session = await currentSession();
  const identity = session ? (session.email ?? session.name ?? session.sub ?? "signed in") : null;
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Link href="/" className="brand">
          <span className="brand__mark" aria-hidden="true" />
          {APP_NAME}
        </Link>
        {session ? (
          <nav className="nav" aria-label="Main">
            <Link href="/dashboard" aria-current={current === "dashboard" ? "page" : undefined}>
              Dashboard
            </Link>
            <Link href="/session" aria-current={current === "session" ? "page" : undefined}>
              Live session
            </Link>
          </nav>
        ) : null}
        <div className="identity">
          {identity ? (
            <>
              <span className="avatar" aria-hidden="true">
                {identity.slice(0, 1).toUpperCase()}
              </span>
              <span className="identity__name" data-testid="header-identity">
                {identity}
              </span>
              <SignOutButton />
            </>
          ) : current !== "login" ? (
            <Link className="button button--ghost" href="/login">
              Sign in
            </Link>
          ) : null}
        </div>
      </div>
    </header>
  );
}
