/**
 * The shared lock store on Upstash Redis over HTTP (@upstash/redis), so every edge isolate and every
 * instance sees the same locks and successors. Built directly on @upstash/redis rather than
 * @upstash/lock: a claim must read the successor *and* take the lock in one atomic step (otherwise a
 * request that misses a successor by a millisecond takes a fresh lock and replays a consumed token), and
 * settling must store the successor and release the lock together. Each is one Lua script, one round trip.
 */
import { Redis } from "@upstash/redis";
import { SessionError } from "../errors";
import type { ClaimResult, LockStore, RefreshKeys } from "./lock-store";

/** One lock-store command should answer in far less; past this the store counts as unreachable. */
export const STORE_TIMEOUT_MS = 1_500;
/** The client's default is 5 retries with exponential backoff: seconds of stall inside a lock wait. */
const STORE_RETRIES = 1;
const STORE_RETRY_BACKOFF_MS = 25;

/**
 * KEYS: successor, lock. ARGV: owner, lock TTL ms. → {1, sealed} | {2} (leader) | {3, lock PTTL ms}.
 * Re-entrant for the same owner: when an earlier claim took the lock but its answer was lost (a timeout),
 * asking again makes us the leader we already are instead of waiting out our own lock.
 */
export const CLAIM_SCRIPT = `
local successor = redis.call('GET', KEYS[1])
if successor then return {1, successor} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
if redis.call('GET', KEYS[2]) == ARGV[1] then return {2} end
return {3, redis.call('PTTL', KEYS[2])}
`;

/** KEYS: successor, lock. ARGV: owner, sealed, TTL ms. Stores first, then releases only our own lock. */
export const SETTLE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** KEYS: lock. ARGV: owner. Compare-and-delete: a lock that expired and was retaken is not ours to free. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface UpstashConnection {
  readonly url: string;
  readonly token: string;
}

/** An @upstash/redis client tuned for a lock: few retries, a per-command timeout, no JSON guessing. */
export function createUpstashClient(connection: UpstashConnection): Redis {
  return new Redis({
    url: connection.url,
    token: connection.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: STORE_RETRIES, backoff: () => STORE_RETRY_BACKOFF_MS },
    signal: () => AbortSignal.timeout(STORE_TIMEOUT_MS),
  });
}

export function createUpstashLockStore(redis: Redis): LockStore {
  const claimScript = redis.createScript<unknown>(CLAIM_SCRIPT);
  const settleScript = redis.createScript<unknown>(SETTLE_SCRIPT);
  const releaseScript = redis.createScript<unknown>(RELEASE_SCRIPT);

  async function run(what: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await call();
    } catch (error) {
      // A timeout is not an outage: the command may have run, and another request may hold the lock.
      if (timedOut(error)) throw new SessionError("STORE_TIMEOUT", `lock store ${what} timed out after ${STORE_TIMEOUT_MS} ms`, { cause: error });
      throw new SessionError("STORE_UNREACHABLE", `lock store ${what} failed`, { cause: error });
    }
  }

  return {
    kind: "upstash",
    async claim(keys: RefreshKeys, owner: string, lockTtlMs: number): Promise<ClaimResult> {
      const reply = await run("claim", () => claimScript.exec([keys.successor, keys.lock], [owner, String(lockTtlMs)]));
      if (Array.isArray(reply)) {
        const [tag, value] = reply as unknown[];
        if (Number(tag) === 1 && typeof value === "string") return { kind: "successor", sealed: value };
        if (Number(tag) === 2) return { kind: "leader" };
        if (Number(tag) === 3) return { kind: "busy", lockTtlMs: Math.max(Number(value) || 0, 0) };
      }
      throw new SessionError("STORE_PROTOCOL", `unexpected claim reply: ${JSON.stringify(reply)}`);
    },
    async settle(keys, owner, sealed, ttlMs) {
      await run("settle", () => settleScript.exec([keys.successor, keys.lock], [owner, sealed, String(ttlMs)]));
    },
    async release(lockKey, owner) {
      return Number(await run("release", () => releaseScript.exec([lockKey], [owner]))) === 1;
    },
  };
}

function timedOut(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    if (cause.name === "TimeoutError" || cause.name === "AbortError") return true;
  }
  return false;
}
