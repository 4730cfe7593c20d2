/**
 * The lock store's contract: three atomic operations, each one round trip, so a refresh costs the leader
 * two store commands and a waiter one per poll. Keys and values arrive already hashed and sealed; a store
 * never sees a token.
 */

export interface RefreshKeys {
  /** Held by the one leader while it calls the backend. */
  readonly lock: string;
  /** The sealed outcome (successor tokens or a rejection) for late and waiting requests. */
  readonly successor: string;
}

export type ClaimResult =
  /** A stored outcome for this refresh token: take it, no backend call. */
  | { readonly kind: "successor"; readonly sealed: string }
  /** The lock is ours: call the backend, then settle or release. */
  | { readonly kind: "leader" }
  /** Someone else leads; their lock lives this much longer. */
  | { readonly kind: "busy"; readonly lockTtlMs: number };

export interface LockStore {
  /** "memory" or "upstash", for logs and Server-Timing. */
  readonly kind: string;
  /**
   * Atomically: the stored successor if there is one, else the lock if it is free (or already `owner`'s),
   * else busy. Throws SessionError STORE_UNREACHABLE when the store answered nobody, STORE_TIMEOUT when
   * the answer did not come in time.
   */
  claim(keys: RefreshKeys, owner: string, lockTtlMs: number): Promise<ClaimResult>;
  /** Stores the sealed outcome for `ttlMs`, then releases the lock if `owner` still holds it. */
  settle(keys: RefreshKeys, owner: string, sealed: string, ttlMs: number): Promise<void>;
  /** Releases the lock if `owner` still holds it; false when it had already expired or moved on. */
  release(lockKey: string, owner: string): Promise<boolean>;
}
