/**
 * Which limiter counts sign-in attempts, from the store settings: the same store as the refresh locks, so
 * every instance sees the same counts. Upstash → @upstash/ratelimit; memory → this isolate's counters.
 * A TCP Redis store (node-redis) plugs in through createRedisAttemptLimiter with its script client.
 */
import type { Clock } from "../clock";
import { createUpstashClient } from "../refresh/upstash-store";
import type { StoreSettings } from "../settings";
import type { AttemptLimiter, LimitRule } from "./attempt-limiter";
import { createMemoryAttemptLimiter } from "./memory-limiter";
import { createRedisAttemptLimiter, type SignInScriptClient } from "./redis-limiter";
import type { LimitName } from "./settings";
import { createUpstashAttemptLimiter } from "./upstash-limiter";

/** Every sign-in key starts with this (then the limit's name): apart from the refresh keys (`esr:v2:`). */
export const SIGNIN_KEY_PREFIX = "esr:signin";

export interface ChosenLimiters {
  readonly limiterFor: (name: LimitName, rule: LimitRule) => AttemptLimiter;
  /** True when the counters live in this isolate only. */
  readonly local: boolean;
}

export function signInLimitersFor(store: StoreSettings, clock: Clock): ChosenLimiters {
  if (store.kind === "upstash") {
    const redis = createUpstashClient(store);
    return { local: false, limiterFor: (name, rule) => createUpstashAttemptLimiter({ redis, rule, prefix: `${SIGNIN_KEY_PREFIX}:${name}` }) };
  }
  return { local: true, limiterFor: (_name, rule) => createMemoryAttemptLimiter(rule, clock) };
}

/** The TCP Redis store's limiters: give it the store's client wrapped as `{ eval, evalsha }`. */
export function redisSignInLimiters(client: SignInScriptClient, clock: Clock): ChosenLimiters {
  return { local: false, limiterFor: (name, rule) => createRedisAttemptLimiter({ client, rule, prefix: `${SIGNIN_KEY_PREFIX}:${name}:`, now: () => clock.now() }) };
}
