/**
 * The one place that knows how the lock store looks inside Redis: the key layout and the Lua scripts.
 * Every store that speaks Redis (Upstash over HTTP, node-redis over TCP, a cluster, an outside store) uses
 * these, so a layout change happens here once.
 *
 * Two rules make every script safe on a Redis Cluster:
 * - No key is computed inside a script: a script touches only the KEYS it is given.
 * - On a cluster, all KEYS of one call share one hash slot: a token's keys carry its id as a `{…}` hash tag,
 *   and a call never mixes two tokens' keys (redis-lock-store.ts).
 *
 * The layout is versioned (`esr:v3`). A store that existed before (Upstash, a standalone Redis) also keeps
 * the previous layout (`esr:v2`) in step for this release, so old and new instances of a rolling deploy
 * share one lock and see each other's successors (docs/DEPLOYING.md, "Rolling deploys and the store's key
 * layout"). Such calls span slots, which only a store that is not a cluster allows; cluster mode never had
 * v2, so it writes the current layout alone.
 */
import type { RefreshKeys } from "../core/refresh/lock-store";

/** A way of naming a token's keys in Redis. */
export interface KeyLayout {
  readonly version: string;
  /** Every key of this layout starts with this. */
  readonly prefix: string;
  keysFor(id: string): RefreshKeys;
  /** The token id a key of this layout belongs to, or undefined when the key is not one of ours. */
  idOf(key: string): string | undefined;
}

/** The current layout: `esr:v3:{<id>}:lock|next|prev`, one hash slot per token. */
export const KEY_LAYOUT: KeyLayout = {
  version: "v3",
  prefix: "esr:v3",
  keysFor: (id) => ({
    id,
    lock: `esr:v3:{${id}}:lock`,
    successor: `esr:v3:{${id}}:next`,
    previous: `esr:v3:{${id}}:prev`,
  }),
  idOf: (key) => /^esr:v3:\{([^}]+)\}:(?:lock|next|prev)$/.exec(key)?.[1],
};

/**
 * The layout every release before v3 wrote: `esr:v2:lock|next|prev:<id>`, no hash tag. Kept in step by the
 * transition release on non-cluster stores, then dropped by a later one (docs/DEPLOYING.md).
 */
export const LEGACY_V2_LAYOUT: KeyLayout = {
  version: "v2",
  prefix: "esr:v2",
  keysFor: (id) => ({ id, lock: `esr:v2:lock:${id}`, successor: `esr:v2:next:${id}`, previous: `esr:v2:prev:${id}` }),
  idOf: (key) => /^esr:v2:(?:lock|next|prev):(.+)$/.exec(key)?.[1],
};

/** Every key the current layout writes starts with this (tests clean up by it). */
export const KEY_PREFIX = KEY_LAYOUT.prefix;

/** Key names for a token id in the current layout (also how stores follow `previous` links). */
export function keyNames(id: string): RefreshKeys {
  return KEY_LAYOUT.keysFor(id);
}

/**
 * What a sealed value is bound to (its AES-GCM additional data). It was the v2 successor key's name and
 * stays exactly that string whatever the layout, so a value sealed by an old instance opens on a new one
 * and back: a layout change must not make stored successors unreadable mid-deploy.
 */
export function sealedValueContext(id: string): string {
  return `esr:v2:next:${id}`;
}

/**
 * The layouts a store writes, newest first: `[current]` on a cluster, `[current, v2]` on a store that may
 * still be shared with instances of an earlier release.
 */
export type KeyLayouts = readonly [KeyLayout, ...KeyLayout[]];
export const CLUSTER_LAYOUTS: KeyLayouts = [KEY_LAYOUT];
export const TRANSITION_LAYOUTS: KeyLayouts = [KEY_LAYOUT, LEGACY_V2_LAYOUT];

/*
 * The scripts take their keys in groups, one group per layout in step (newest first), so one script serves
 * a cluster (one group) and a transition store (two groups). Inside a group the keys share a slot.
 */

/**
 * KEYS: per layout {successor, lock}. ARGV: owner, lock TTL ms, stale outcome ("" for none).
 * → {1, sealed} | {2} (leader) | {3, lock PTTL ms}.
 * The successor is read from the LAST group, the oldest layout in step: every instance of a rolling deploy
 * writes that one, so nobody misses a successor and a sign-out by an old instance is seen. The lock is
 * taken in every group, so an old instance (which checks only its own) sees it too. Re-entrant for the
 * same owner: when an earlier claim took the lock but its answer was lost (a timeout), asking again makes
 * us the leader we already are.
 */
export const CLAIM_SCRIPT = `
local groups = #KEYS / 2
local successor = redis.call('GET', KEYS[groups * 2 - 1])
if successor and successor ~= ARGV[3] then return {1, successor} end
local taken, ttl = false, 0
for g = 1, groups do
  local holder = redis.call('GET', KEYS[g * 2])
  if holder and holder ~= ARGV[1] then
    taken = true
    ttl = math.max(ttl, redis.call('PTTL', KEYS[g * 2]))
  end
end
if taken then return {3, ttl} end
for g = 1, groups do redis.call('SET', KEYS[g * 2], ARGV[1], 'NX', 'PX', ARGV[2]) end
return {2}
`;

/**
 * KEYS: per layout {successor, lock}, then (a rotation, on a store that is not a cluster) the NEW token's
 * `previous` key per layout. ARGV: owner, sealed, TTL ms, number of layout groups, the rotated-away id.
 * Stores the outcome (and the link back), then releases only our own lock.
 */
export const SETTLE_SCRIPT = `
local groups = tonumber(ARGV[4])
for g = 1, groups do
  redis.call('SET', KEYS[g * 2 - 1], ARGV[2], 'PX', ARGV[3])
end
for i = groups * 2 + 1, #KEYS do redis.call('SET', KEYS[i], ARGV[5], 'PX', ARGV[3]) end
for g = 1, groups do
  if redis.call('GET', KEYS[g * 2]) == ARGV[1] then redis.call('DEL', KEYS[g * 2]) end
end
return 1
`;

/**
 * KEYS: per layout, the NEW token's `previous` key. ARGV: the rotated-away token's id, TTL ms.
 * On a cluster the link is its own call: the new token's keys live in another slot than the old token's.
 */
export const LINK_SCRIPT = `
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
return 1
`;

/** KEYS: per layout, the lock. ARGV: owner. Compare-and-delete: a lock that expired and was retaken is not ours. */
export const RELEASE_SCRIPT = `
local freed = 0
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then freed = freed + redis.call('DEL', KEYS[i]) end
end
return freed
`;

/**
 * One link of sign-out's walk back along the chain; the client calls it once per token, each time with
 * that token's keys. KEYS: per layout {successor, previous}. ARGV: "refuse" (the signed-out token: store
 * ARGV[2] for ARGV[3] ms) or "forget" (an earlier token: delete its outcome).
 * → {1 if an earlier outcome was deleted else 0, the id `previous` names or ""}. The link is deleted too.
 */
export const FORGET_LINK_SCRIPT = `
local deleted, previous = 0, false
for g = 1, #KEYS / 2 do
  if ARGV[1] == 'refuse' then
    redis.call('SET', KEYS[g * 2 - 1], ARGV[2], 'PX', ARGV[3])
  elseif redis.call('DEL', KEYS[g * 2 - 1]) == 1 then
    deleted = 1
  end
  previous = previous or redis.call('GET', KEYS[g * 2])
  redis.call('DEL', KEYS[g * 2])
end
return {deleted, previous or ''}
`;

/** The keys of one call, grouped per layout: a token's keys in each layout it is written in. */
export function keysPerLayout(
  layouts: KeyLayouts,
  keys: RefreshKeys,
  pick: ReadonlyArray<keyof Omit<RefreshKeys, "id">>,
): string[] {
  const groups = [keys, ...layouts.slice(1).map((layout) => layout.keysFor(keys.id))];
  return groups.flatMap((group) => pick.map((name) => group[name]));
}

/**
 * The keys in every layout for one key the coordinator names (a lock, a `previous` link): the token id is
 * read back from the key. A key of no known layout (an outside caller's own naming) is used alone.
 */
export function sameKeyPerLayout(layouts: KeyLayouts, key: string, role: keyof Omit<RefreshKeys, "id">): string[] {
  const id = layouts[0].idOf(key);
  if (id === undefined) return [key];
  return [key, ...layouts.slice(1).map((layout) => layout.keysFor(id)[role])];
}

/** A script's SHA-1 in hex: the name EVALSHA runs it by (the Upstash transport and the sign-in limiter). */
export async function scriptSha1(script: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(script));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
