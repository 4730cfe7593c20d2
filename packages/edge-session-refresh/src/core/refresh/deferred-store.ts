/**
 * A lock store that is still being loaded: each call waits for it, then forwards. A runtime whose store
 * lives behind a dynamic import (node-redis, which the edge bundle must never contain) builds its session
 * runtime synchronously and hands this in; a store that failed to load fails every call as unreachable.
 */
import { SessionError } from "../errors";
import type { LockStore } from "./lock-store";

export function deferredLockStore(loading: Promise<LockStore>): LockStore {
  const ready = loading.catch((error: unknown) => {
    throw new SessionError("STORE_UNREACHABLE", "the lock store could not be loaded", { cause: error });
  });
  ready.catch(() => {}); // reported by each call that meets it, not as an unhandled rejection
  return {
    claim: async (...args) => (await ready).claim(...args),
    settle: async (...args) => (await ready).settle(...args),
    release: async (...args) => (await ready).release(...args),
    forget: async (...args) => (await ready).forget(...args),
    ping: async () => (await ready).ping(),
  };
}
