/**
 * The lock store exactly as the last release before the v3 key layout shipped it (commit 0de71a0,
 * src/stores/upstash.ts): its scripts verbatim, its `esr:v2:…` keys, and FORGET computing the
 * earlier keys inside Lua. Only for the rolling-deploy tests: an old instance and a new one on one store.
 * It is given the current RefreshKeys and names them the v2 way from the token id, as the old sealer did.
 */
import type { LockScript, LockScriptClient } from "../upstash";
import type { ClaimResult, LockStore, RefreshKeys } from "../../core/refresh/lock-store";
import { LEGACY_V2_LAYOUT } from "../redis-scripts";

const V2_KEY_PREFIX = "esr:v2";

const V2_CLAIM_SCRIPT = `
local successor = redis.call('GET', KEYS[1])
if successor and successor ~= ARGV[3] then return {1, successor} end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
if redis.call('GET', KEYS[2]) == ARGV[1] then return {2} end
return {3, redis.call('PTTL', KEYS[2])}
`;
const V2_SETTLE_SCRIPT = `
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if KEYS[3] then redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[3]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1
`;
const V2_RELEASE_SCRIPT = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
const V2_FORGET_SCRIPT = `
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

const v2 = (keys: RefreshKeys) => LEGACY_V2_LAYOUT.keysFor(keys.id);
const v2Key = (key: string, role: "lock" | "previous") => {
  const id = /\{([^}]+)\}/.exec(key)?.[1];
  if (id === undefined) throw new Error(`not a v3 key: ${key}`);
  return LEGACY_V2_LAYOUT.keysFor(id)[role];
};

export function createV2LockStore(redis: LockScriptClient): LockStore {
  const [claim, settle, release, forget]: LockScript[] = [
    V2_CLAIM_SCRIPT,
    V2_SETTLE_SCRIPT,
    V2_RELEASE_SCRIPT,
    V2_FORGET_SCRIPT,
  ].map((script) => redis.createScript(script));
  return {
    async claim(keys, owner, lockTtlMs, stale): Promise<ClaimResult> {
      const [tag, value] = (await claim!.exec(
        [v2(keys).successor, v2(keys).lock],
        [owner, String(lockTtlMs), stale ?? ""],
      )) as [number, unknown];
      if (Number(tag) === 1) return { kind: "successor", sealed: String(value) };
      if (Number(tag) === 2) return { kind: "leader" };
      return { kind: "busy", lockTtlMs: Math.max(Number(value) || 0, 0) };
    },
    async settle(keys, owner, sealed, ttlMs, link) {
      const keyList = link
        ? [v2(keys).successor, v2(keys).lock, v2Key(link.previousKey, "previous")]
        : [v2(keys).successor, v2(keys).lock];
      const args = link ? [owner, sealed, String(ttlMs), link.previousId] : [owner, sealed, String(ttlMs)];
      await settle!.exec(keyList, args);
    },
    async release(lockKey, owner) {
      return Number(await release!.exec([v2Key(lockKey, "lock")], [owner])) === 1;
    },
    async forget(keys, sealed, ttlMs, maxLinks) {
      return (
        Number(
          await forget!.exec(
            [v2(keys).successor, v2(keys).previous],
            [sealed, String(ttlMs), String(maxLinks), V2_KEY_PREFIX],
          ),
        ) || 0
      );
    },
    async ping() {
      await redis.ping();
    },
  };
}
