/**
 * The sliding-window limiter in this isolate's memory: for the in-memory lock store (one instance), and the
 * fallback every instance uses while the shared store fails (sign-in-limits.ts). Bounded: windows that can
 * no longer count are swept, and past MAX_KEYS the oldest keys go first.
 */
import type { Clock } from "../core/clock";
import {
  slidingWindowAt,
  slidingWindowVerdict,
  type AttemptLimiter,
  type LimitRule,
} from "../core/signin/attempt-limiter";

/** Keys remembered at most; one spraying address makes one key per identifier, so this bounds memory. */
export const MAX_KEYS = 50_000;

interface Counts {
  window: number;
  current: number;
  previous: number;
}

export function createMemoryAttemptLimiter(rule: LimitRule, clock: Clock): AttemptLimiter {
  const counts = new Map<string, Counts>();

  function read(key: string, now: number): Counts {
    const { current } = slidingWindowAt(now, rule.windowMs);
    const stored = counts.get(key);
    if (stored === undefined || stored.window < current - 1) return { window: current, current: 0, previous: 0 };
    if (stored.window === current - 1) return { window: current, current: 0, previous: stored.current };
    return stored;
  }

  return {
    async take(key) {
      const now = clock.now();
      const state = read(key, now);
      const verdict = slidingWindowVerdict(rule, now, state.current, state.previous);
      if (verdict.allowed) {
        state.current += 1;
        counts.delete(key); // re-insert: Map order is then least recently counted first
        counts.set(key, state);
        if (counts.size > MAX_KEYS) counts.delete(counts.keys().next().value!);
      }
      return verdict;
    },
    async clear(key) {
      counts.delete(key);
    },
  };
}
