/**
 * The shared lock store on Upstash Redis over HTTP, so every edge isolate and every instance sees the same
 * locks and successors. Each operation is one Lua script, one round trip: a claim must read the successor
 * *and* take the lock atomically (lock-store.ts says why), and settling stores and releases together.
 *
 * It takes the few script methods it needs as a structural type (as @upstash/ratelimit does), so any
 * client with `evalsha`/`eval`/`scriptLoad` semantics fits; `createUpstashClient` builds the usual one.
 */
import { Redis } from "@upstash/redis";
import { SessionError, type SessionErrorCode } from "../errors";
import type { ClaimResult, LockStore, RefreshKeys } from "./lock-store";
import { KEY_PREFIX } from "./sealing";

/** One lock-store command should answer in far less; past this the store counts as unreachable. */
export const STORE_TIMEOUT_MS = 1_500;
/** The client's default is 5 retries with exponential backoff: seconds of stall inside a lock wait. */
const STORE_RETRIES = 1;
const STORE_RETRY_BACKOFF_MS = 25;

/**
 * KEYS: successor, lock. ARGV: owner, lock TTL ms, stale outcome ("" for none).
 * → {1, sealed} | {2} (leader) | {3, lock PTTL ms}. Re-entrant for the same owner: when an earlier claim
 * took the lock but its answer was lost (a timeout), asking again makes us the leader we already are.
 */
export const CLAIM_SCRIPT = `
local successor = redis.call('GET', KEYS[1])
if successor and successor ~= ARGV[3] then return {1, successor} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
if redis.call('GET', KEYS[2]) == ARGV[1] then return {2} end
return {3, redis.call('PTTL', KEYS[2])}
`;

/**
 * KEYS: successor, lock[, previous-link key]. ARGV: owner, sealed, TTL ms[, previous id].
 * Stores first (and the link back to the rotated-away token), then releases only our own lock.
 */
export const SETTLE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if KEYS[3] then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;

/** KEYS: lock. ARGV: owner. Compare-and-delete: a lock that expired and was retaken is not ours to free. */
export const RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * KEYS: successor, previous-link key. ARGV: sealed refusal, TTL ms, max links, key prefix.
 * Marks this token refused, then walks `previous` links back, deleting each earlier token's outcome.
 * The earlier keys are computed inside the script from the stored ids: fine on Upstash (one shard),
 * which is the store this is written for.
 */
export const FORGET_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
local link = KEYS[2]
local deleted = 0
for i = 1, tonumber(ARGV[3]) do
  local previous = redis.call('GET', link)
  redis.call('DEL', link)
  if not previous then break end
  deleted = deleted + redis.call('DEL', ARGV[4] .. ':next:' .. previous)
  link = ARGV[4] .. ':prev:' .. previous
end
return deleted
`;

/** The script runner the store needs: @upstash/redis's `createScript` result has exactly this. */
export interface LockScript {
  exec(keys: string[], args: string[]): Promise<unknown>;
}
/** The few client methods the store uses; @upstash/redis's `Redis` satisfies it. */
export interface LockScriptClient {
  createScript(script: string): LockScript;
  ping(): Promise<unknown>;
}

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

export function createUpstashLockStore(redis: LockScriptClient): LockStore {
  const claimScript = redis.createScript(CLAIM_SCRIPT);
  const settleScript = redis.createScript(SETTLE_SCRIPT);
  const releaseScript = redis.createScript(RELEASE_SCRIPT);
  const forgetScript = redis.createScript(FORGET_SCRIPT);

  async function run(what: string, call: () => Promise<unknown>): Promise<unknown> {
    try {
      return await call();
    } catch (error) {
      const code = classifyStoreError(error);
      throw new SessionError(code, `lock store ${what} failed (${code})${code === "STORE_TIMEOUT" ? ` after ${STORE_TIMEOUT_MS} ms` : ""}`, { cause: error });
    }
  }

  return {
    async claim(keys: RefreshKeys, owner: string, lockTtlMs: number, stale?: string): Promise<ClaimResult> {
      const reply = await run("claim", () => claimScript.exec([keys.successor, keys.lock], [owner, String(lockTtlMs), stale ?? ""]));
      if (Array.isArray(reply)) {
        const [tag, value] = reply as unknown[];
        if (Number(tag) === 1 && typeof value === "string") return { kind: "successor", sealed: value };
        if (Number(tag) === 2) return { kind: "leader" };
        if (Number(tag) === 3) return { kind: "busy", lockTtlMs: Math.max(Number(value) || 0, 0) };
      }
      throw new SessionError("STORE_PROTOCOL", `unexpected claim reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
    },
    async settle(keys, owner, sealed, ttlMs, link) {
      const keyList = link ? [keys.successor, keys.lock, link.previousKey] : [keys.successor, keys.lock];
      const args = link ? [owner, sealed, String(ttlMs), link.previousId] : [owner, sealed, String(ttlMs)];
      await run("settle", () => settleScript.exec(keyList, args));
    },
    async release(lockKey, owner) {
      return Number(await run("release", () => releaseScript.exec([lockKey], [owner]))) === 1;
    },
    async forget(keys, sealed, ttlMs, maxLinks) {
      return Number(await run("forget", () => forgetScript.exec([keys.successor, keys.previous], [sealed, String(ttlMs), String(maxLinks), KEY_PREFIX]))) || 0;
    },
    async ping() {
      await run("ping", () => redis.ping());
    },
  };
}

/**
 * Which failure a client error is. @upstash/redis does not keep the HTTP status: a non-2xx answer becomes
 * an UpstashError carrying the body's `error` text and ", command was: …", a Redis error reply in a 200
 * an UpstashError without that suffix, a non-JSON body (a gateway's page) an
 * UpstashJSONParseError, a refused connection fetch's TypeError, our per-command abort a TimeoutError.
 * So the words Upstash answers with are matched here, in this one place, and tested against the bridge.
 */
export function classifyStoreError(error: unknown): SessionErrorCode {
  const chain: Error[] = [];
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) chain.push(cause);
  if (chain.some((e) => e.name === "TimeoutError" || e.name === "AbortError")) return "STORE_TIMEOUT";
  const top = chain[0];
  if (top === undefined) return "STORE_UNREACHABLE";
  if (top.name === "UpstashJSONParseError") return "STORE_SERVER_ERROR";
  if (top.name === "UpstashError") {
    const text = top.message;
    if (/unauthori[sz]ed|WRONGPASS|NOAUTH|invalid (api )?token/i.test(text)) return "STORE_UNAUTHORIZED";
    if (/limit exceeded|rate.?limit|too many requests|quota/i.test(text)) return "STORE_RATE_LIMITED";
    // The client appends ", command was: …" only when the HTTP status was not 2xx: the service failed.
    // Without it, the service answered 200 with a Redis error reply: it works but refused our command.
    return text.includes(", command was:") ? "STORE_SERVER_ERROR" : "STORE_PROTOCOL";
  }
  // fetch itself failed: refused, reset, unknown host (TypeError "fetch failed" with a system cause).
  return "STORE_UNREACHABLE";
}
