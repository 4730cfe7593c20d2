"use client";
/**
 * <SessionRefreshAhead /> (the skew comes from the session withSessionRefresh builds; or pass skewSeconds) (or useSessionRefreshAhead), inside next-auth's SessionProvider:
 * while a tab is visible, the session is refreshed in the background shortly before the skew window, so
 * navigations and API calls find a valid access token instead of waiting for the backend.
 *
 * - When: refresh-ahead-plan.ts (visible tabs only, before expiry only, bounded attempts, Retry-After).
 * - Who: one tab at a time (refresh-ahead-leader.ts); the others learn through the shared state.
 * - How: GET /api/auth/session marked x-session-refresh-ahead, through the session middleware, so the
 *   refresh goes through the same coordinator as every request and the new cookie is the browser's own.
 * - After: this tab's useSession re-reads the session (one request the middleware answers `valid`);
 *   every tab's useAccessTokenExpiry follows the shared state at once, with no request. A refusal sends
 *   next-auth's own sign-out message, so every tab's useSession turns `unauthenticated`.
 *
 * Without it, nothing changes: the next request inside the skew window refreshes, as before.
 */
import { useSession } from "next-auth/react";
import { useEffect } from "react";
import { useAccessTokenExpiry } from "../access-token-expiry";
import { askForRenewal, stateAfter } from "./refresh-ahead-answer";
import { asLeader } from "./refresh-ahead-leader";
import {
  attemptStarted,
  newestExpiry,
  planRefreshAhead,
  retryGapMs,
  settingsFromWindow,
  withKnownExpiry,
  type RefreshAheadSettings,
} from "./refresh-ahead-plan";
import { readStatedWindow, REFRESH_AHEAD_STATE_KEY, saveStatedWindow, sharedState } from "./refresh-ahead-state";
import { NEXTAUTH_BROADCAST_KEY } from "../session-broadcast";

/** SessionRefreshAhead's options, all optional: the session states its own refresh window. */
export interface SessionRefreshAheadProps {
  /** The server's SESSION_REFRESH_SKEW_SECONDS; default what the session says (withSessionRefresh puts it there). */
  readonly skewSeconds?: number;
  /** The gate's refreshAheadMs in seconds, if set; default the skew, as the gate's default. */
  readonly aheadSeconds?: number;
  /** next-auth's session endpoint, which the middleware must front (its matcher); default /api/auth/session. */
  readonly sessionPath?: string;
  /** Called in the tab whose background refresh was refused, after every tab was told. */
  readonly onSignedOut?: () => void;
}

/** Renews the session in the background shortly before its access token expires, one tab at a time (renders nothing); put it inside SessionProvider. */
export function SessionRefreshAhead(props: SessionRefreshAheadProps = {}): null {
  useSessionRefreshAhead(props);
  return null;
}

/** SessionRefreshAhead as a hook, for a component of your own inside SessionProvider. */
export function useSessionRefreshAhead({
  skewSeconds: skewProp,
  aheadSeconds,
  sessionPath = "/api/auth/session",
  onSignedOut,
}: SessionRefreshAheadProps = {}): void {
  const { status, data } = useSession();
  // Read without the Session augmentation of edge-session-refresh/next, so this entry stands alone.
  const session = data as {
    refreshSkewSeconds?: unknown;
    accessTokenExpires?: unknown;
    refreshAheadFrom?: unknown;
    refreshDueFrom?: unknown;
  } | null;
  const sessionSkew = session?.refreshSkewSeconds;
  const skewSeconds = skewProp ?? (typeof sessionSkew === "number" ? sessionSkew : undefined);
  // This token's own window, as the server will honour it (lifetime caps included): it wins over the
  // nominal skew and ahead window (props or session), which only a page still loading its session uses.
  const statedWindow = settingsFromWindow(
    session?.accessTokenExpires,
    session?.refreshAheadFrom,
    session?.refreshDueFrom,
  );
  const sessionExpiresAt = useAccessTokenExpiry();
  // As numbers, for the effect's dependencies (a new object each render would re-run it).
  const statedSkewMs = statedWindow?.skewMs;
  const statedAheadMs = statedWindow?.aheadMs;
  useEffect(() => {
    if (status === "unauthenticated" || typeof window === "undefined") return;
    if (skewSeconds !== undefined && !(Number.isFinite(skewSeconds) && skewSeconds >= 0))
      throw new Error(`SessionRefreshAhead: skewSeconds must be a number of seconds ≥ 0, got ${String(skewSeconds)}`);
    const storage = safeLocalStorage();
    // The window this session states; else (still loading) the last one any tab saw; else the nominal one.
    const stated =
      statedSkewMs !== undefined && statedAheadMs !== undefined
        ? { skewMs: statedSkewMs, aheadMs: statedAheadMs }
        : null;
    if (stated !== null) saveStatedWindow(storage, stated);
    const nominal =
      skewSeconds === undefined ? null : { skewMs: skewSeconds * 1000, aheadMs: (aheadSeconds ?? skewSeconds) * 1000 };
    const settings: RefreshAheadSettings | null = stated ?? readStatedWindow(storage) ?? nominal;
    if (settings === null) return;
    const shared = sharedState(storage);
    // While next-auth is still loading the session, plan on the expiry any tab last knew: a page that is
    // left again soon after loading may not live to see its session fetched.
    if (sessionExpiresAt !== null) shared.write(withKnownExpiry(shared.read(), sessionExpiresAt));
    const expiresAt = sessionExpiresAt ?? (status === "loading" ? shared.read().expiresAt : null);
    if (expiresAt === null) return;
    const tabId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    const locks = (navigator as Navigator & { locks?: unknown }).locks ? navigator.locks : null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let running = false;

    const plan = () =>
      planRefreshAhead({
        expiresAt,
        state: shared.read(),
        now: Date.now(),
        visible: document.visibilityState === "visible",
        settings,
      });

    const replan = () => {
      clearTimeout(timer);
      if (stopped || running) return;
      const next = plan();
      if (next.kind === "wait") timer = setTimeout(replan, next.delayMs);
      else if (next.kind === "fire") void fire();
    };

    const attempt = async () => {
      // Again inside the lock: another tab may have renewed, or backed off, a moment ago.
      if (plan().kind !== "fire") return;
      const state = shared.read();
      const known = newestExpiry(expiresAt, state.expiresAt)!;
      shared.write(attemptStarted(state, known, Date.now()));
      const answer = await askForRenewal(sessionPath, known);
      // Even if this effect was replaced meanwhile (the session loaded): the answer is every tab's news.
      shared.write(stateAfter(shared.read(), answer, Date.now()));
      if (answer.kind === "renewed") rereadSessionHere();
      if (answer.kind === "signed-out" && answer.refused) {
        broadcastSignOut(storage);
        rereadSessionHere();
        onSignedOut?.();
      }
    };

    const fire = async () => {
      running = true;
      let led = false;
      try {
        led = await asLeader(attempt, { locks, storage, tabId, now: Date.now });
      } catch {
        led = false;
      } finally {
        running = false;
      }
      if (stopped) return;
      // Another tab holds the lock: look again once it has had time to say what became of its attempt.
      if (led) replan();
      else timer = setTimeout(replan, retryGapMs(settings));
    };

    const onStorage = (event: StorageEvent) => {
      if (event.key === REFRESH_AHEAD_STATE_KEY) replan();
    };
    document.addEventListener("visibilitychange", replan);
    window.addEventListener("storage", onStorage);
    replan();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", replan);
      window.removeEventListener("storage", onStorage);
    };
  }, [status, sessionExpiresAt, skewSeconds, aheadSeconds, statedSkewMs, statedAheadMs, sessionPath, onSignedOut]);
}

/**
 * Makes this tab's SessionProvider re-read the session, through next-auth's own listener for another
 * tab's broadcast (a `storage` event on "nextauth.message"): it refetches without broadcasting again.
 */
function rereadSessionHere(): void {
  const message = { event: "session", data: { trigger: "getSession" }, timestamp: Math.floor(Date.now() / 1000) };
  window.dispatchEvent(new StorageEvent("storage", { key: NEXTAUTH_BROADCAST_KEY, newValue: JSON.stringify(message) }));
}

/** next-auth's own sign-out broadcast: every other tab's SessionProvider refetches and finds no session. */
function broadcastSignOut(storage: Storage | null): void {
  try {
    storage?.setItem(
      NEXTAUTH_BROADCAST_KEY,
      JSON.stringify({ event: "session", data: { trigger: "signout" }, timestamp: Math.floor(Date.now() / 1000) }),
    );
  } catch {
    // Other tabs find out on their next request, which the middleware turns away.
  }
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
