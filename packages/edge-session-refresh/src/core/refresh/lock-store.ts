/**
 * The lock store's contract. Whoever adds a store (another Redis client, a KV, a database) must provide
 * exactly this, with these guarantees:
 *
 * - `claim` is ATOMIC: reading the stored outcome and taking the lock happen as one step that no other
 *   claim can interleave with. A store that reads, then sets in a second round trip, lets a request miss
 *   a successor by a millisecond, take a fresh lock and replay a consumed refresh token: the backend then
 *   revokes the session. (Redis: one Lua script; the memory store: one synchronous function.)
 * - Every write carries a lifetime; nothing the coordinator writes lives forever.
 * - Locks are owner-checked: only the owner's `settle`/`release` frees a lock, so a leader whose lock
 *   expired cannot free its successor's.
 * - Failures throw SessionError with a STORE_* code (errors.ts): UNREACHABLE, TIMEOUT (the command may
 *   have run), UNAUTHORIZED, RATE_LIMITED, SERVER_ERROR, PROTOCOL. The coordinator decides from the code.
 *
 * Keys and values arrive already derived and sealed (sealing.ts): a store never sees a token.
 *
 * A store is one file plus one entry in the stores table (src/stores/table.ts); a Redis-speaking store uses the shared
 * scripts and key layout (src/stores/redis-scripts.ts) through createRedisLockStore. Every store runs the contract
 * suite, src/stores/contract.ts (docs/ARCHITECTURE.md, "Lock stores").
 */

export interface RefreshKeys {
  /** The refresh token's public id: what `previous` links name. */
  readonly id: string;
  /** Held by the one leader while it calls the backend. */
  readonly lock: string;
  /** The sealed outcome (successor tokens, a refusal, or "backend unavailable") for everyone else. */
  readonly successor: string;
  /** The id of the refresh token this one succeeded, so sign-out can walk the chain back. */
  readonly previous: string;
}

export type ClaimResult =
  /** A stored outcome for this refresh token: take it, no backend call. */
  | { readonly kind: "successor"; readonly sealed: string }
  /** The lock is ours: call the backend, then settle or release. */
  | { readonly kind: "leader" }
  /** Someone else leads; their lock lives this much longer. */
  | { readonly kind: "busy"; readonly lockTtlMs: number };

/** A rotation to record with the outcome: `previous` of the new token's keys names the old token's id. */
export interface SuccessorLink {
  readonly previousKey: string;
  readonly previousId: string;
}

export interface LockStore {
  /**
   * Atomically: the stored outcome if there is one other than `stale`, else the lock if it is free (or
   * already `owner`'s: a claim whose answer was lost can be asked again), else busy. `stale` is an
   * outcome the caller has seen and found used up (a non-rotating backend's successor whose access token
   * is due again): it counts as absent, so the caller can lead the next refresh of the same token.
   */
  claim(keys: RefreshKeys, owner: string, lockTtlMs: number, stale?: string): Promise<ClaimResult>;
  /** Atomically stores the sealed outcome for `ttlMs` (and the link, if any), then frees `owner`'s lock. */
  settle(keys: RefreshKeys, owner: string, sealed: string, ttlMs: number, link?: SuccessorLink): Promise<void>;
  /** Frees the lock if `owner` still holds it; false when it had already expired or moved on. */
  release(lockKey: string, owner: string): Promise<boolean>;
  /**
   * Sign-out: stores `sealed` (a refusal) for `keys` and deletes the outcomes stored for every earlier
   * token of the chain (following `previous` links, at most `maxLinks`), so no copy of an older cookie
   * can pick up a successor after the session ended. Returns how many earlier outcomes were deleted.
   */
  forget(keys: RefreshKeys, sealed: string, ttlMs: number, maxLinks: number): Promise<number>;
  /** One cheap round trip, to say at start-up whether the store answers and accepts our credentials. */
  ping(): Promise<void>;
}
