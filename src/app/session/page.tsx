/**
 * The live session page: who you are, when the access token runs out, what the edge middleware did for
 * this very request, this browser's history of it, and (with the reference backend) the backend's own
 * count of refreshes. Open many tabs from here and watch one refresh serve them all.
 */
import { redirect } from "next/navigation";
import { fetchBackendStats } from "./backend-stats";
import { sessionRuntime } from "edge-session-refresh/next";
import { currentSession } from "edge-session-refresh/next";
import { requestSessionOutcome } from "edge-session-refresh/next";
import { OUTCOME_DESCRIPTIONS } from "./outcome-descriptions";
import { AppHeader } from "../app-header";
import { ExpiryCountdown } from "./expiry-countdown";
import { OpenTabs } from "./open-tabs";
import { ReloadButton } from "./reload-button";
import { SessionTimeline } from "./session-timeline";

export const dynamic = "force-dynamic";
export const metadata = { title: "Live session · Edge Session" };

export default async function SessionPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const session = await currentSession();
  // The middleware redirects signed-out visitors before this renders; this is the belt to its braces.
  if (session === null) redirect("/login?callbackUrl=%2Fsession");
  const params = await searchParams;
  const tab = typeof params.tab === "string" && /^\d{1,3}$/.test(params.tab) ? params.tab : null;
  const [outcome, stats] = await Promise.all([
    requestSessionOutcome(),
    fetchBackendStats(sessionRuntime().settings.backend.baseUrl),
  ]);

  return (
    <>
      <AppHeader current="session" />
      <main className="page">
        <div className="page-head">
          <div>
            <p className="eyebrow">
              Live session
              {tab !== null ? (
                <span className="chip" data-testid="tab-chip">
                  tab {tab}
                </span>
              ) : null}
            </p>
            <h1>One refresh for every tab</h1>
            <p className="lede">
              What the edge middleware did for this page load, when your access token runs out, and how often the
              backend was asked.
            </p>
          </div>
          <ReloadButton />
        </div>

        <div className={stats ? "layout layout--with-aside" : "layout"}>
          <div className="stack">
            <div className="cards cards--two">
              <section className="card" aria-labelledby="identity-title">
                <h2 id="identity-title" className="card__title">
                  Signed in as
                </h2>
                <p className="identity-big" data-testid="session-identity">
                  {session.name ? <strong>{session.name}</strong> : null}
                  <span data-testid="session-email">{session.email ?? "—"}</span>
                </p>
                <dl className="facts">
                  <dt>User id</dt>
                  <dd>
                    <code>{session.sub ?? "—"}</code>
                  </dd>
                </dl>
              </section>

              <section className="card" aria-labelledby="expiry-title">
                <h2 id="expiry-title" className="card__title">
                  Access token expires in
                </h2>
                <ExpiryCountdown serverExpires={session.accessTokenExpires} />
              </section>
            </div>

            <section className="card" aria-labelledby="outcome-title">
              <h2 id="outcome-title" className="card__title">
                This request
              </h2>
              {outcome ? (
                <div className="outcome" data-testid="request-outcome" data-outcome={outcome.outcome}>
                  <span className={`badge badge--${outcome.outcome}`}>{outcome.outcome}</span>
                  <div>
                    <p className="outcome__text">{OUTCOME_DESCRIPTIONS[outcome.outcome]}</p>
                    {outcome.durationMs !== null ? (
                      <p className="muted small">
                        Session handling took{" "}
                        <span data-testid="request-outcome-ms">{outcome.durationMs.toFixed(1)}</span> ms at the edge.
                      </p>
                    ) : null}
                  </div>
                </div>
              ) : (
                <p className="muted" data-testid="request-outcome" data-outcome="">
                  This page load did not pass the session middleware.
                </p>
              )}
            </section>

            <section className="card" aria-labelledby="tabs-title">
              <h2 id="tabs-title" className="card__title">
                Open many tabs at once
              </h2>
              <p className="muted small">
                Each tab loads a protected page. When the access token has run out, the first request to arrive
                refreshes it and all the others wait for that one result: one backend call, every tab signed in.
              </p>
              <OpenTabs />
            </section>

            <section className="card" aria-labelledby="timeline-title">
              <h2 id="timeline-title" className="card__title">
                This browser&rsquo;s session history
              </h2>
              <SessionTimeline
                entry={
                  outcome
                    ? {
                        id: outcome.id,
                        outcome: outcome.outcome,
                        durationMs: outcome.durationMs,
                        at: outcome.at,
                        source: tab !== null ? `page · tab ${tab}` : "page",
                      }
                    : null
                }
              />
            </section>
          </div>

          {stats ? (
            <aside className="card card--aside" aria-labelledby="stats-title" data-testid="backend-stats">
              <h2 id="stats-title" className="card__title">
                Reference backend
              </h2>
              <p className="muted small">Counted by the backend itself, since it started or was reset.</p>
              <dl className="stats">
                <div className="stat stat--primary">
                  <dt>Refreshes</dt>
                  <dd data-testid="stat-refreshes">{stats.refreshes}</dd>
                </div>
                <div className={stats.reuseDetections > 0 ? "stat stat--bad" : "stat"}>
                  <dt>Token reuse detected</dt>
                  <dd data-testid="stat-reuse">{stats.reuseDetections}</dd>
                </div>
                <div className="stat">
                  <dt>Refresh attempts</dt>
                  <dd>{stats.refreshAttempts}</dd>
                </div>
                <div className="stat">
                  <dt>Most at once</dt>
                  <dd>{stats.maxConcurrentRefreshes}</dd>
                </div>
                <div className="stat">
                  <dt>Families revoked</dt>
                  <dd>{stats.familiesRevoked}</dd>
                </div>
              </dl>
              <p className="muted small">
                {stats.logins} sign-in{stats.logins === 1 ? "" : "s"}, {stats.profileRequests} profile request
                {stats.profileRequests === 1 ? "" : "s"}.
              </p>
            </aside>
          ) : null}
        </div>
      </main>
    </>
  );
}
