/**
 * Keeps one tab's session refetch from making every other tab refetch too.
 *
 * What next-auth v4 (4.24, react/index.js) does: every `getSession()` that is not itself answering a
 * broadcast (the provider's first load on every page load, a refetch on `visibilitychange`, a
 * `refetchInterval` poll) writes `{event: "session", data: {trigger: "getSession"}}` to localStorage under
 * "nextauth.message". Every other tab of the origin gets a `storage` event and refetches
 * /api/auth/session (without re-broadcasting). So one focus costs 1 + (tabs − 1) requests, and N tabs
 * loading at once cost N × (N − 1) more. The focus refetch itself has no staleness window: it runs on
 * every `visibilitychange` to visible while the tab holds a session.
 *
 * What we do: a tab that is hidden AND already holds a session ignores `getSession` broadcasts. It loses
 * nothing: next-auth refetches on its own when the tab becomes visible again (refetchOnWindowFocus), and
 * the middleware in front of /api/auth/session makes that refetch join any refresh in flight. Visible
 * tabs (windows side by side) still follow at once; sign-out broadcasts (`trigger: "signout"`) and tabs
 * without a session (which next-auth does not refetch on focus) are never filtered.
 */

export const NEXTAUTH_BROADCAST_KEY = "nextauth.message";

export interface BroadcastView {
  readonly key: string | null;
  readonly newValue: string | null;
}

/** Whether a storage event may be ignored by this tab for now. */
export function deferrableBroadcast(
  event: BroadcastView,
  visibility: DocumentVisibilityState,
  holdsSession: boolean,
): boolean {
  if (visibility !== "hidden" || !holdsSession) return false;
  if (event.key !== NEXTAUTH_BROADCAST_KEY || event.newValue === null) return false;
  try {
    const message = JSON.parse(event.newValue) as { event?: unknown; data?: { trigger?: unknown } } | null;
    return message?.event === "session" && message.data?.trigger === "getSession";
  } catch {
    return false;
  }
}

interface WindowLike {
  addEventListener(type: "storage", listener: (event: StorageEvent) => void, options: { capture: boolean }): void;
  readonly document: { readonly visibilityState: DocumentVisibilityState };
}

/**
 * Installs the filter on `win` once and returns a setter for "this tab holds a session". The listener
 * captures on window and is registered before next-auth's (which listens non-capturing, from an effect),
 * so `stopImmediatePropagation` keeps the event from it.
 */
export function installBroadcastDeferral(win: WindowLike): (holdsSession: boolean) => void {
  const state = { holdsSession: false };
  win.addEventListener(
    "storage",
    (event) => {
      if (!deferrableBroadcast(event, win.document.visibilityState, state.holdsSession)) return;
      event.stopImmediatePropagation();
    },
    { capture: true },
  );
  return (holdsSession) => {
    state.holdsSession = holdsSession;
  };
}
