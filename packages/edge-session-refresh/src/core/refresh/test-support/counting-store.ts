/** A counting wrapper around a real lock store: how many claims, settles and releases a scenario cost. */
import { SessionError } from "../../errors";
import type { LockStore } from "../lock-store";

export interface CountingStore extends LockStore {
  readonly counts: { claim: number; settle: number; release: number; forget: number };
  total(): number;
  reset(): void;
}

export function countingStore(inner: LockStore): CountingStore {
  const counts = { claim: 0, settle: 0, release: 0, forget: 0 };
  return {
    counts,
    total: () => counts.claim + counts.settle + counts.release + counts.forget,
    reset() {
      counts.claim = counts.settle = counts.release = counts.forget = 0;
    },
    claim(keys, owner, ttl, stale) {
      counts.claim++;
      return inner.claim(keys, owner, ttl, stale);
    },
    settle(keys, owner, sealed, ttl, link) {
      counts.settle++;
      return inner.settle(keys, owner, sealed, ttl, link);
    },
    forget(keys, sealed, ttl, maxLinks) {
      counts.forget++;
      return inner.forget(keys, sealed, ttl, maxLinks);
    },
    ping: () => inner.ping(),
    release(lock, owner) {
      counts.release++;
      return inner.release(lock, owner);
    },
  };
}

/**
 * A real store with injected faults on `claim`, for what a healthy Redis cannot be made to show on cue: a
 * timeout while the store is fine (an overloaded instance), or an answer lost after the command ran.
 * `plan(n)` is asked before the n-th claim (1-based): "pass", "timeout" (throw before running it),
 * "lost" (run it, then throw as if the answer timed out) or "refused" (throw as unreachable).
 */
export function faultyStore(
  inner: LockStore,
  plan: (claimNumber: number) => "pass" | "timeout" | "lost" | "refused",
): LockStore {
  let claims = 0;
  const fault = (code: "STORE_TIMEOUT" | "STORE_UNREACHABLE") => new SessionError(code, `injected ${code}`);
  return {
    async claim(keys, owner, ttl, stale) {
      const step = plan(++claims);
      if (step === "timeout") throw fault("STORE_TIMEOUT");
      if (step === "refused") throw fault("STORE_UNREACHABLE");
      const result = await inner.claim(keys, owner, ttl, stale);
      if (step === "lost") throw fault("STORE_TIMEOUT");
      return result;
    },
    settle: (keys, owner, sealed, ttl, link) => inner.settle(keys, owner, sealed, ttl, link),
    release: (lock, owner) => inner.release(lock, owner),
    forget: (keys, sealed, ttl, maxLinks) => inner.forget(keys, sealed, ttl, maxLinks),
    ping: () => inner.ping(),
  };
}
