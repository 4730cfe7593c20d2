/**
 * Which limiter counts sign-in attempts, from the store settings: the same store as the refresh locks, so
 * every instance sees the same counts. Upstash → @upstash/ratelimit; memory → this isolate's counters;
 * a TCP Redis or Redis Cluster (REDIS_URL / REDIS_CLUSTER_NODES) → the sliding-window script on the lock
 * store's own connection, which the Node adapter passes in as `redisScripts` (src/next/node-stores.ts):
 * the core never imports node-redis, so the edge bundle cannot carry it. Without that client (the edge
 * runtime, where nobody signs in) a Redis kind counts in this isolate.
 */
import type { Clock } from "../clock";
import { createUpstashClient } from "../refresh/upstash-store";
import type { StoreSettings } from "../refresh/store-settings";
import type { AttemptLimiter, LimitRule } from "./attempt-limiter";
import { createMemoryAttemptLimiter } from "./memory-limiter";
import { createRedisAttemptLimiter, type SignInScriptClient } from "./redis-limiter";
import type { LimitName } from "./settings";
import { createUpstashAttemptLimiter } from "./upstash-limiter";

/** Every sign-in key starts with this (then the limit's name): apart from the refresh keys (`esr:v3:`). */
export const SIGNIN_KEY_PREFIX = "esr:signin";

export interface ChosenLimiters {
  readonly limiterFor: (name: LimitName, rule: LimitRule) => AttemptLimiter;
  /** True when the counters live in this isolate only. */
  readonly local: boolean;
}

export function signInLimitersFor(store: StoreSettings, clock: Clock, redisScripts?: SignInScriptClient): ChosenLimiters {
  if ((store.kind === "redis" || store.kind === "redis-cluster") && redisScripts !== undefined) return redisSignInLimiters(redisScripts, clock);
  if (store.kind === "upstash") {
    const redis = createUpstashClient(store);
    return { local: false, limiterFor: (name, rule) => createUpstashAttemptLimiter({ redis, rule, prefix: `${SIGNIN_KEY_PREFIX}:${name}` }) };
  }
  return { local: true, limiterFor: (_name, rule) => createMemoryAttemptLimiter(rule, clock) };
}

/** The TCP Redis store's limiters: give it the store's client wrapped as `{ eval, evalsha }`. */
export function redisSignInLimiters(client: SignInScriptClient, clock: Clock): ChosenLimiters {
  return {
    local: false,
    limiterFor: (name, rule) => createRedisAttemptLimiter({ client, rule, prefix: `${SIGNIN_KEY_PREFIX}:${name}:`, now: () => clock.now() }),
  };
}
