/**
 * When a waiter on another isolate asks the store again. Upstash's REST API has no blocking command, so a
 * waiter cannot be woken by the leader's settle; it can only ask again, and every ask is a command. The
 * aim is ONE re-claim per waiting isolate that lands in the store just after the leader's settle.
 *
 * The leader's lock is taken in the store at moment L. Its claim's answer travels back (half a round trip),
 * it calls the backend and seals the outcome (the "refresh time" R, which this estimate learns), and the
 * settle travels to the store (half a round trip): the outcome lands at L + RTT + R. A waiter's claim ran
 * in the store when the lock was `a` old, and its answer arrives half a round trip later, at L + a + RTT/2.
 * A re-claim sent after a sleep of w lands at L + a + RTT + w. So w = R - a (+ a margin) lands it just
 * after the settle, and the round trip cancels out: the waiter answers a margin after the leader does,
 * whatever the store's distance. What the waiter must know is R, not the distance.
 *
 * R is learned from this isolate's own leads: from the claim's answer to the settle being sent, which
 * includes neither store round trip (a first call that loads a script costs two, and must not count).
 * A wait whose re-claim still found the lock gives an upper bound instead (the leader was slower than
 * thought), so an isolate that never leads is corrected too.
 */

/** Before anything was observed: a typical backend refresh. */
export const INITIAL_ESTIMATE_MS = 100;
/** Weight of the newest observation. */
const SMOOTHING = 0.3;
/** The estimate stays within these bounds, whatever one odd observation says. */
const MIN_ESTIMATE_MS = 5;
const MAX_ESTIMATE_MS = 2_000;
/** Re-asks after the estimate has passed start at a quarter of it and slow down by half each time, up to a cap. */
const MIN_POLL_MS = 5;
const MAX_POLL_MS = 50;
const POLL_GROWTH = 1.5;
const MAX_BACKED_OFF_POLL_MS = 200;

export interface LatencyEstimate {
  /** A refresh time seen: a leader's claim answered to its settle sent. */
  observe(ms: number): void;
  current(): number;
  /** How long to sleep before asking again, given how old the leader's lock is and how often we asked. */
  nextWait(lockAgeMs: number, attempt: number): number;
}

export function createLatencyEstimate(initialMs = INITIAL_ESTIMATE_MS): LatencyEstimate {
  let estimate = clamp(initialMs, MIN_ESTIMATE_MS, MAX_ESTIMATE_MS);
  let observed = false;
  return {
    observe(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      // The prior is a guess: the first real observation replaces it, later ones are averaged in.
      estimate = clamp(observed ? estimate + SMOOTHING * (ms - estimate) : ms, MIN_ESTIMATE_MS, MAX_ESTIMATE_MS);
      observed = true;
    },
    current: () => estimate,
    nextWait: (lockAgeMs, attempt) => waitBeforeAsking(estimate, lockAgeMs, attempt),
  };
}

/**
 * How long a waiter sleeps before asking again. Attempt 0 follows a lock's first busy answer: sleep until
 * the leader's outcome should have landed (R - a, see above), plus a margin, so one more claim usually
 * suffices. Later attempts follow a re-claim that came too early: ask again soon, then less and less often.
 */
export function waitBeforeAsking(estimateMs: number, lockAgeMs: number, attempt: number): number {
  const poll = clamp(estimateMs / 4, MIN_POLL_MS, MAX_POLL_MS);
  if (attempt > 0) return Math.min(poll * POLL_GROWTH ** (attempt - 1), MAX_BACKED_OFF_POLL_MS);
  const margin = Math.max(MIN_POLL_MS, estimateMs / 10);
  return Math.max(estimateMs - Math.max(0, lockAgeMs) + margin, poll);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** One store command as this isolate timed it, in its own clock. */
export interface TimedClaim {
  readonly sentAt: number;
  readonly answeredAt: number;
}

/** When the store ran the command, in our clock: the middle of its round trip. */
export function storeMoment(claim: TimedClaim): number {
  return (claim.sentAt + claim.answeredAt) / 2;
}

export function roundTrip(claim: TimedClaim): number {
  return Math.max(0, claim.answeredAt - claim.sentAt);
}
