import { describe, expect, it } from "vitest";
import { NEXTAUTH_BROADCAST_KEY, deferrableBroadcast, installBroadcastDeferral } from "./session-broadcast";

const message = (trigger: string) => JSON.stringify({ event: "session", data: { trigger }, timestamp: 1 });

/** A window stand-in on Node's EventTarget: listeners run in registration order, like window's at-target phase. */
function fakeWindow(visibility: DocumentVisibilityState) {
  const target = new EventTarget();
  const win = Object.assign(target, { document: { visibilityState: visibility } }) as EventTarget & {
    document: { visibilityState: DocumentVisibilityState };
  };
  return win;
}

function storageEvent(key: string | null, newValue: string | null): Event {
  return Object.assign(new Event("storage"), { key, newValue });
}

describe("next-auth broadcast deferral", () => {
  it("ignores 'session fetched' broadcasts only in a hidden tab that holds a session", () => {
    const fetched = { key: NEXTAUTH_BROADCAST_KEY, newValue: message("getSession") };
    expect(deferrableBroadcast(fetched, "hidden", true)).toBe(true);
    expect(deferrableBroadcast(fetched, "visible", true)).toBe(false);
    expect(deferrableBroadcast(fetched, "hidden", false)).toBe(false);
    expect(deferrableBroadcast({ key: NEXTAUTH_BROADCAST_KEY, newValue: message("signout") }, "hidden", true)).toBe(
      false,
    );
    expect(deferrableBroadcast({ key: "other", newValue: message("getSession") }, "hidden", true)).toBe(false);
    expect(deferrableBroadcast({ key: NEXTAUTH_BROADCAST_KEY, newValue: "{not json" }, "hidden", true)).toBe(false);
    expect(deferrableBroadcast({ key: NEXTAUTH_BROADCAST_KEY, newValue: null }, "hidden", true)).toBe(false);
  });

  it("keeps the event from a listener registered after it (next-auth's), and only then", () => {
    const win = fakeWindow("hidden");
    const setHoldsSession = installBroadcastDeferral(win as unknown as Parameters<typeof installBroadcastDeferral>[0]);
    const nextAuthSaw: string[] = [];
    win.addEventListener("storage", (event) =>
      nextAuthSaw.push(JSON.parse((event as StorageEvent).newValue!).data.trigger),
    );

    // Still loading (no session yet): everything passes.
    win.dispatchEvent(storageEvent(NEXTAUTH_BROADCAST_KEY, message("getSession")));
    setHoldsSession(true);
    win.dispatchEvent(storageEvent(NEXTAUTH_BROADCAST_KEY, message("getSession")));
    win.dispatchEvent(storageEvent(NEXTAUTH_BROADCAST_KEY, message("signout")));
    win.document.visibilityState = "visible";
    win.dispatchEvent(storageEvent(NEXTAUTH_BROADCAST_KEY, message("getSession")));
    expect(nextAuthSaw).toEqual(["getSession", "signout", "getSession"]);
  });
});
