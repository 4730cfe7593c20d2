/**
 * Which limiter counts sign-in attempts: the one the store's table entry asks for, on the same store as the
 * refresh locks, so every instance sees the same counts. Upstash → @upstash/ratelimit; memory → this
 * isolate's counters; a TCP Redis or Redis Cluster → the sliding-window script on the lock store's own
 * connection (the Node adapter's TCP driver; without it, as on the edge where nobody signs in, this isolate).
 * Only the sign-in path imports this file: @upstash/ratelimit stays out of the edge middleware's bundle.
 */
import type { Clock } from "../core/clock";
import type { ChosenLimiters, SignInLimiterKit, StoreContext } from "./entry";
import { createMemoryAttemptLimiter } from "./memory-limiter";
import { createRedisAttemptLimiter, type SignInScriptClient } from "./redis-limiter";
import type { StoreSettings } from "./settings";
import { lockStoreEntry } from "./table";
import { createUpstashClient } from "./upstash-client";
import { createUpstashAttemptLimiter } from "./upstash-limiter";

/** Every sign-in key starts with this (then the limit's name): apart from the refresh keys (`esr:v3:`). */
export const SIGNIN_KEY_PREFIX = "esr:signin";

export function signInLimitersFor(store: StoreSettings, context: StoreContext): ChosenLimiters {
  return lockStoreEntry(store.kind).signInLimiters(store, context, signInLimiterKit(context.clock));
}

export function signInLimiterKit(clock: Clock): SignInLimiterKit {
  return {
    local: () => ({ local: true, limiterFor: (_name, rule) => createMemoryAttemptLimiter(rule, clock) }),
    upstash: (connection) => {
      const redis = createUpstashClient(connection);
      return {
        local: false,
        limiterFor: (name, rule) =>
          createUpstashAttemptLimiter({ redis, rule, prefix: `${SIGNIN_KEY_PREFIX}:${name}` }),
      };
    },
    scripts: (client) => redisSignInLimiters(client, clock),
  };
}

/** The sliding-window script's limiters on any script-running client (`{ eval, evalsha }`). */
export function redisSignInLimiters(client: SignInScriptClient, clock: Clock): ChosenLimiters {
  return {
    local: false,
    limiterFor: (name, rule) =>
      createRedisAttemptLimiter({ client, rule, prefix: `${SIGNIN_KEY_PREFIX}:${name}:`, now: () => clock.now() }),
  };
}
