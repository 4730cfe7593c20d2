import { describe, expect, it } from "vitest";
import { EMPTY_STATE } from "./refresh-ahead-plan";
import {
  parseRefreshAheadState,
  readStatedWindow,
  REFRESH_AHEAD_STATE_KEY,
  REFRESH_AHEAD_WINDOW_KEY,
  saveStatedWindow,
  sharedState,
} from "./refresh-ahead-state";
import { asLeader, LEASE_KEY } from "./refresh-ahead-leader";

/** A Storage as the browser's localStorage behaves for one origin (Node has none to use). */
function memoryStorage(): Storage & { failing: boolean } {
  const items = new Map<string, string>();
  const storage = {
    failing: false,
    get length() {
      return items.size;
    },
    key: (index: number) => [...items.keys()][index] ?? null,
    getItem: (key: string) => {
      if (storage.failing) throw new Error("SecurityError");
      return items.get(key) ?? null;
    },
    setItem: (key: string, value: string) => {
      if (storage.failing) throw new Error("QuotaExceededError");
      items.set(key, value);
    },
    removeItem: (key: string) => void items.delete(key),
    clear: () => items.clear(),
  };
  return storage;
}

describe("the shared state", () => {
  it.each([null, "", "not json", "[]", "null", '{"expiresAt":"x","attempts":-4}'])(
    "unreadable or odd (%s) reads as empty or sanitised",
    (raw) => {
      const state = parseRefreshAheadState(raw);
      expect(state.expiresAt).toBeNull();
      expect(state.attempts).toBe(0);
    },
  );

  it("every tab reads what one wrote; without storage a tab keeps its own copy", () => {
    const storage = memoryStorage();
    const written = { expiresAt: 10, attempts: 2, lastAttemptAt: 5, backoffUntil: 7 };
    sharedState(storage).write(written);
    expect(sharedState(storage).read()).toEqual(written);
    expect(storage.getItem(REFRESH_AHEAD_STATE_KEY)).toBe(JSON.stringify(written));
    storage.failing = true;
    const alone = sharedState(storage);
    expect(alone.read()).toEqual(EMPTY_STATE);
    alone.write(written);
    expect(alone.read()).toEqual(written);
  });
});

describe("one tab at a time", () => {
  it("with Web Locks: the task runs only when the lock is free", async () => {
    const held = new Set<string>();
    const locks = {
      async request<T>(
        name: string,
        _options: { ifAvailable: boolean },
        callback: (lock: unknown) => Promise<T>,
      ): Promise<T> {
        if (held.has(name)) return callback(null);
        held.add(name);
        try {
          return await callback({ name });
        } finally {
          held.delete(name);
        }
      },
    };
    let release!: () => void;
    const first = asLeader(() => new Promise<void>((resolve) => (release = resolve)), {
      locks,
      storage: null,
      tabId: "a",
      now: () => 0,
    });
    expect(await asLeader(async () => {}, { locks, storage: null, tabId: "b", now: () => 0 })).toBe(false);
    release();
    expect(await first).toBe(true);
    expect(await asLeader(async () => {}, { locks, storage: null, tabId: "b", now: () => 0 })).toBe(true);
  });

  it("without Web Locks: a lease in storage, released after, taken over once expired", async () => {
    const storage = memoryStorage();
    let release!: () => void;
    const first = asLeader(() => new Promise<void>((resolve) => (release = resolve)), {
      locks: null,
      storage,
      tabId: "a",
      now: () => 0,
    });
    expect(await asLeader(async () => {}, { locks: null, storage, tabId: "b", now: () => 1000 })).toBe(false);
    // A tab that died holding it: the lease runs out.
    expect(await asLeader(async () => {}, { locks: null, storage, tabId: "b", now: () => 60_000 })).toBe(true);
    release();
    expect(await first).toBe(true);
    expect(storage.getItem(LEASE_KEY)).toBeNull();
  });
});

describe("the stated window a loading page plans on", () => {
  it("is kept for the next page, and anything unreadable or impossible is no window", () => {
    const storage = memoryStorage();
    expect(readStatedWindow(storage)).toBeNull();
    saveStatedWindow(storage, { skewMs: 4000, aheadMs: 2500 });
    expect(readStatedWindow(storage)).toEqual({ skewMs: 4000, aheadMs: 2500 });
    for (const raw of ["{", "null", '{"skewMs":-1,"aheadMs":2}', '{"skewMs":"4","aheadMs":2}', '{"skewMs":4}']) {
      storage.setItem(REFRESH_AHEAD_WINDOW_KEY, raw);
      expect(readStatedWindow(storage)).toBeNull();
    }
    storage.failing = true;
    expect(() => saveStatedWindow(storage, { skewMs: 1, aheadMs: 1 })).not.toThrow();
    expect(readStatedWindow(null)).toBeNull();
  });
});
