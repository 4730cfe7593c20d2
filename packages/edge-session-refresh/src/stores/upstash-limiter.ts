/**
 * The sliding-window limiter on Upstash Redis, through @upstash/ratelimit (its `slidingWindow`, the
 * algorithm the other stores reimplement in attempt-limiter.ts / redis-limiter.ts). Settings that matter:
 * - `timeout: 0`: the library's own timeout *allows* the request when Redis is slow (reason "timeout");
 *   here a slow or failing store is an error the caller decides about (STORE_FAILURE_POLICY).
 * - `ephemeralCache: false`, `analytics: false`: no per-isolate state, no extra writes.
 * Clearing deletes the key's two window keys directly: the library's `resetUsedTokens` runs a SCAN over
 * the whole keyspace inside one Lua script, on the database that also holds every refresh lock.
 * limiters.test.ts checks that layout against the library, so an upgrade that changes it fails a test.
 */
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { slidingWindowAt, type AttemptLimiter, type LimitRule } from "../core/signin/attempt-limiter";

export interface UpstashAttemptLimiterOptions {
  readonly redis: Redis;
  readonly rule: LimitRule;
  /** Key prefix naming the limit (no trailing colon), e.g. `esr:signin:account-address`. */
  readonly prefix: string;
}

export function createUpstashAttemptLimiter(options: UpstashAttemptLimiterOptions): AttemptLimiter {
  const { redis, rule, prefix } = options;
  const ratelimit = new Ratelimit({
    redis,
    prefix,
    limiter: Ratelimit.slidingWindow(rule.max, `${rule.windowMs} ms`),
    timeout: 0,
    ephemeralCache: false,
    analytics: false,
  });
  return {
    async take(key) {
      const answer = await ratelimit.limit(key);
      // `reset` is the end of the current window: just past it the door opens (attempt-limiter.ts says why).
      return answer.success
        ? { allowed: true, retryAfterMs: 0 }
        : { allowed: false, retryAfterMs: Math.max(answer.reset - Date.now(), 1) };
    },
    async clear(key) {
      const { current } = slidingWindowAt(Date.now(), rule.windowMs);
      await redis.del(`${prefix}:${key}:${current}`, `${prefix}:${key}:${current - 1}`);
    },
  };
}
