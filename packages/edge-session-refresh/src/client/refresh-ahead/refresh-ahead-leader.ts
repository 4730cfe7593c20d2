/**
 * One tab at a time: the background refresh runs under the Web Lock REFRESH_AHEAD_LOCK, asked with
 * `ifAvailable`, so a tab that finds it held skips (the holder's result reaches it through the shared
 * state). Browsers without Web Locks use a short lease in localStorage instead: written, then read back;
 * two tabs racing through it can both go, which the server collapses into one refresh anyway.
 */

export const REFRESH_AHEAD_LOCK = "edge-session-refresh-ahead";
export const LEASE_KEY = "edge-session.refresh-ahead.lease.v1";
/** Longer than any background refresh can take (the fetch is aborted before). */
export const LEASE_MS = 30_000;

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

/** Runs `task` if this tab is the one; returns whether it ran. */
export async function asLeader(
  task: () => Promise<void>,
  env: {
    readonly locks: LockManagerLike | null;
    readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null;
    readonly tabId: string;
    readonly now: () => number;
  },
): Promise<boolean> {
  if (env.locks) {
    return env.locks.request(REFRESH_AHEAD_LOCK, { ifAvailable: true }, async (lock) => {
      if (lock === null) return false;
      await task();
      return true;
    });
  }
  if (!env.storage) {
    await task();
    return true;
  }
  try {
    const held = /^(.+)@(\d+)$/.exec(env.storage.getItem(LEASE_KEY) ?? "");
    if (held && held[1] !== env.tabId && Number(held[2]) > env.now()) return false;
    env.storage.setItem(LEASE_KEY, `${env.tabId}@${env.now() + LEASE_MS}`);
    if (!(env.storage.getItem(LEASE_KEY) ?? "").startsWith(`${env.tabId}@`)) return false;
  } catch {
    // No storage after all: this tab goes alone.
  }
  try {
    await task();
  } finally {
    try {
      if ((env.storage.getItem(LEASE_KEY) ?? "").startsWith(`${env.tabId}@`)) env.storage.removeItem(LEASE_KEY);
    } catch {
      // nothing to release
    }
  }
  return true;
}
