/**
 * The one seam between the sign-in limits and a store: count one attempt under a key, say whether it was
 * within the limit, forget a key. Every store implements the same sliding-window algorithm (the one
 * @upstash/ratelimit calls `slidingWindow`): a counter per fixed window, and the previous window's count
 * weighted by how much of it still overlaps the last `windowMs`. A refused attempt is not counted, so a
 * client hammering a closed door does not keep it closed longer.
 */

export interface LimitRule {
  /** Attempts allowed per window. */
  readonly max: number;
  readonly windowMs: number;
}

export interface AttemptVerdict {
  readonly allowed: boolean;
  /** When refused: how long until the current window ends; from just after that instant the attempt is allowed. */
  readonly retryAfterMs: number;
}

export interface AttemptLimiter {
  /** Counts one attempt for `key` if it is within the rule; throws only when the store fails. */
  take(key: string): Promise<AttemptVerdict>;
  /** Forgets `key`'s attempts (a successful sign-in clears its identifier-and-address counter). */
  clear(key: string): Promise<void>;
}

/** The window an instant falls in, and the share of the previous window still counted: the algorithm's arithmetic, shared by every implementation. */
export function slidingWindowAt(
  now: number,
  windowMs: number,
): { readonly current: number; readonly previousWeight: number } {
  const current = Math.floor(now / windowMs);
  return { current, previousWeight: 1 - (now % windowMs) / windowMs };
}

/** The pure decision: given the counts, is one more attempt within the rule, and when does a refusal end. */
export function slidingWindowVerdict(
  rule: LimitRule,
  now: number,
  currentCount: number,
  previousCount: number,
): AttemptVerdict {
  const { current, previousWeight } = slidingWindowAt(now, rule.windowMs);
  const used = Math.floor(previousWeight * previousCount) + currentCount;
  if (used < rule.max) return { allowed: true, retryAfterMs: 0 };
  // Refused attempts are not counted, so this window holds at most `max`. Just past its end that count
  // becomes the previous one with a weight under 1, which floors below `max`: the door opens then.
  return { allowed: false, retryAfterMs: (current + 1) * rule.windowMs - now };
}
