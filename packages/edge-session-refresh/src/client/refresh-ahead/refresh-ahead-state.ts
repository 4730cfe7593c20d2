/**
 * The background refresh's shared state (refresh-ahead-plan.ts's RefreshAheadState), in localStorage so
 * every tab of the origin plans with the same attempts, back-off and newest expiry; `storage` events tell
 * the other tabs. Without storage (blocked, private modes that throw) each tab keeps its own copy: the
 * bounds then hold per tab instead of per browser.
 */
import { EMPTY_STATE, type RefreshAheadSettings, type RefreshAheadState } from "./refresh-ahead-plan";

export const REFRESH_AHEAD_STATE_KEY = "edge-session.refresh-ahead.v1";

export type StateStorage = Pick<Storage, "getItem" | "setItem">;

export function parseRefreshAheadState(raw: string | null): RefreshAheadState {
  if (raw === null) return EMPTY_STATE;
  try {
    const value = JSON.parse(raw) as Partial<Record<keyof RefreshAheadState, unknown>> | null;
    const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
    if (value === null || typeof value !== "object") return EMPTY_STATE;
    return {
      expiresAt: finite(value.expiresAt) ? (value.expiresAt as number) : null,
      attempts: finite(value.attempts) ? Math.max(0, value.attempts as number) : 0,
      lastAttemptAt: finite(value.lastAttemptAt) ? (value.lastAttemptAt as number) : 0,
      backoffUntil: finite(value.backoffUntil) ? (value.backoffUntil as number) : 0,
    };
  } catch {
    return EMPTY_STATE;
  }
}

export interface SharedState {
  read(): RefreshAheadState;
  write(state: RefreshAheadState): void;
}

export function sharedState(storage: StateStorage | null): SharedState {
  let local = EMPTY_STATE;
  return {
    read() {
      try {
        if (storage) return parseRefreshAheadState(storage.getItem(REFRESH_AHEAD_STATE_KEY));
      } catch {
        // fall through to this tab's copy
      }
      return local;
    },
    write(state) {
      local = state;
      try {
        storage?.setItem(REFRESH_AHEAD_STATE_KEY, JSON.stringify(state));
      } catch {
        // this tab's copy it is
      }
    },
  };
}

/**
 * The last refresh window a session stated (its skew and ahead window as durations; the same for every
 * token of the same lifetime), so a page that is still loading its session plans on the window the server
 * honours instead of the nominal settings.
 */
export const REFRESH_AHEAD_WINDOW_KEY = "edge-session.refresh-ahead.window.v1";

export function readStatedWindow(storage: Pick<Storage, "getItem"> | null): RefreshAheadSettings | null {
  try {
    const value = JSON.parse(storage?.getItem(REFRESH_AHEAD_WINDOW_KEY) ?? "null") as {
      skewMs?: unknown;
      aheadMs?: unknown;
    } | null;
    const { skewMs, aheadMs } = value ?? {};
    if (
      typeof skewMs !== "number" ||
      typeof aheadMs !== "number" ||
      !Number.isFinite(skewMs) ||
      !Number.isFinite(aheadMs) ||
      skewMs < 0 ||
      aheadMs < 0
    )
      return null;
    return { skewMs, aheadMs };
  } catch {
    return null;
  }
}

export function saveStatedWindow(storage: Pick<Storage, "setItem"> | null, settings: RefreshAheadSettings): void {
  try {
    storage?.setItem(REFRESH_AHEAD_WINDOW_KEY, JSON.stringify({ skewMs: settings.skewMs, aheadMs: settings.aheadMs }));
  } catch {
    // the next page plans on the nominal settings until its session is loaded
  }
}
