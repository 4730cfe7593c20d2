/**
 * The in-memory lock store: the default when no Upstash settings are given. It coordinates only the
 * requests of one isolate (one `next dev`/`next start` process), so it is for development and single
 * instances. It is bounded: expired entries are swept as it is written to, and past MAX_ENTRIES the
 * oldest are dropped, so a long-lived isolate under heavy traffic does not grow without limit.
 */
import type { ClaimResult, LockStore, RefreshKeys } from "./lock-store";

/** Every entry expires within a minute or so; this many live at once is already an extreme storm. */
export const MAX_ENTRIES = 50_000;
/** Sweep expired entries every this many writes, so the cost is spread thin. */
const SWEEP_EVERY_WRITES = 256;

interface Entry {
  readonly value: string;
  readonly expiresAt: number;
}

export interface MemoryLockStore extends LockStore {
  /** Live entries, for tests and the memory-bound check. */
  size(): number;
}

export function createMemoryLockStore(options: { nowMs?: () => number; maxEntries?: number } = {}): MemoryLockStore {
  const nowMs = options.nowMs ?? Date.now;
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  const entries = new Map<string, Entry>();
  let writes = 0;

  function read(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, value: string, ttlMs: number): void {
    if (++writes % SWEEP_EVERY_WRITES === 0) sweep();
    entries.delete(key); // re-insert so Map order stays oldest-first for eviction
    entries.set(key, { value, expiresAt: nowMs() + ttlMs });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  }

  function sweep(): void {
    const now = nowMs();
    for (const [key, entry] of entries) if (entry.expiresAt <= now) entries.delete(key);
  }

  function release(lockKey: string, owner: string): boolean {
    if (read(lockKey)?.value !== owner) return false;
    entries.delete(lockKey);
    return true;
  }

  return {
    kind: "memory",
    async claim(keys: RefreshKeys, owner: string, lockTtlMs: number): Promise<ClaimResult> {
      const successor = read(keys.successor);
      if (successor) return { kind: "successor", sealed: successor.value };
      const lock = read(keys.lock);
      if (lock?.value === owner) return { kind: "leader" }; // re-entrant, like the Redis script
      if (lock) return { kind: "busy", lockTtlMs: lock.expiresAt - nowMs() };
      write(keys.lock, owner, lockTtlMs);
      return { kind: "leader" };
    },
    async settle(keys, owner, sealed, ttlMs) {
      write(keys.successor, sealed, ttlMs);
      release(keys.lock, owner);
    },
    async release(lockKey, owner) {
      return release(lockKey, owner);
    },
    size() {
      sweep();
      return entries.size;
    },
  };
}
