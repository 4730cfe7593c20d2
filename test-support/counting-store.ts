/** A counting wrapper around a real lock store: how many claims, settles and releases a scenario cost. */
import type { LockStore } from "../src/core/refresh/lock-store";

export interface CountingStore extends LockStore {
  readonly counts: { claim: number; settle: number; release: number };
  total(): number;
  reset(): void;
}

export function countingStore(inner: LockStore): CountingStore {
  const counts = { claim: 0, settle: 0, release: 0 };
  return {
    kind: inner.kind,
    counts,
    total: () => counts.claim + counts.settle + counts.release,
    reset() {
      counts.claim = counts.settle = counts.release = 0;
    },
    claim(keys, owner, ttl) {
      counts.claim++;
      return inner.claim(keys, owner, ttl);
    },
    settle(keys, owner, sealed, ttl) {
      counts.settle++;
      return inner.settle(keys, owner, sealed, ttl);
    },
    release(lock, owner) {
      counts.release++;
      return inner.release(lock, owner);
    },
  };
}
