/**
 * The in-memory lock store: the default when no shared store is configured. It coordinates only the
 * requests of one isolate (one `next dev`/`next start` process), so it is for development and single
 * instances. Bounded: expired entries are swept as it is written to, and past MAX_ENTRIES the oldest go.
 * Each operation is one synchronous function, which is what makes `claim` atomic here.
 */
import { systemClock, type Clock } from "../core/clock";
import { BoundedMap } from "../core/support/bounded-map";
import type { ClaimResult, LockStore, RefreshKeys, SuccessorLink } from "../core/refresh/lock-store";
import type { StoreEntry } from "./entry";
import { keyNames } from "./redis-scripts";

/** Every entry expires within minutes; this many live at once is already an extreme storm. */
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

export function createMemoryLockStore(options: { clock?: Clock; maxEntries?: number } = {}): MemoryLockStore {
  const clock = options.clock ?? systemClock;
  const entries = new BoundedMap<string, Entry>(options.maxEntries ?? MAX_ENTRIES);
  let writes = 0;

  function read(key: string): Entry | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= clock.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, value: string, ttlMs: number): void {
    if (++writes % SWEEP_EVERY_WRITES === 0) sweep();
    entries.set(key, { value, expiresAt: clock.now() + ttlMs });
  }

  function sweep(): void {
    const now = clock.now();
    entries.sweep((entry) => entry.expiresAt <= now);
  }

  function release(lockKey: string, owner: string): boolean {
    if (read(lockKey)?.value !== owner) return false;
    entries.delete(lockKey);
    return true;
  }

  return {
    async claim(keys: RefreshKeys, owner: string, lockTtlMs: number, stale?: string): Promise<ClaimResult> {
      const successor = read(keys.successor);
      if (successor && successor.value !== stale) return { kind: "successor", sealed: successor.value };
      const lock = read(keys.lock);
      if (lock?.value === owner) return { kind: "leader" }; // re-entrant, like the Redis script
      if (lock) return { kind: "busy", lockTtlMs: lock.expiresAt - clock.now() };
      write(keys.lock, owner, lockTtlMs);
      return { kind: "leader" };
    },
    async settle(keys, owner, sealed, ttlMs, link?: SuccessorLink) {
      write(keys.successor, sealed, ttlMs);
      if (link) write(link.previousKey, link.previousId, ttlMs);
      release(keys.lock, owner);
    },
    async release(lockKey, owner) {
      return release(lockKey, owner);
    },
    async forget(keys, sealed, ttlMs, maxLinks) {
      write(keys.successor, sealed, ttlMs);
      let deleted = 0;
      let current = keys;
      for (let link = 0; link < maxLinks; link++) {
        const previousId = read(current.previous)?.value;
        entries.delete(current.previous);
        if (previousId === undefined) break;
        current = keyNames(previousId);
        if (entries.delete(current.successor)) deleted++;
      }
      return deleted;
    },
    async ping() {},
    size() {
      sweep();
      return entries.size;
    },
  };
}

/** Said when nothing shared is configured: how to share the locks between instances. */
export const SHARE_IT =
  "set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL/KV_REST_API_TOKEN), or on the Node runtime REDIS_URL or REDIS_CLUSTER_NODES, to share it between instances.";

/** The table's entry: the fallback when no shared store is configured, and the one SESSION_LOCK_STORE=memory picks. */
export const memoryStore = {
  settingNames: [],
  label: "the in-memory store",
  configured: () => false,
  parse: () => ({ kind: "memory" }),
  worksOnVercel: false,
  create: (_settings, { clock }) => createMemoryLockStore({ clock }),
  shared: false,
  unlockedWhenStoreFails: true,
  describe: (_settings, production) =>
    (production
      ? "[session] WARNING: running in production with the in-memory lock store. With more than one instance, each refreshes the same token and a rotating backend signs users out. "
      : "[session] lock store: in-memory. ") +
    "It coordinates refreshes within this one instance only; " +
    SHARE_IT,
  signInLimiters: (_settings, _context, kit) => kit.local(),
} satisfies StoreEntry<"memory">;
