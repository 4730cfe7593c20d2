/**
 * How long a refresh takes here, learned from what this isolate sees: a moving average of the leaders'
 * backend round trips and the waits that ended in a successor. A waiter on another isolate sleeps until the
 * leader should be done (the lock's age says when it started), so a refresh costs each waiting isolate
 * about two claims instead of a claim every few milliseconds.
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
    nextWait(lockAgeMs, attempt) {
      const poll = clamp(estimate / 4, MIN_POLL_MS, MAX_POLL_MS);
      if (attempt > 0) return Math.min(poll * POLL_GROWTH ** (attempt - 1), MAX_BACKED_OFF_POLL_MS);
      // First ask after the leader should have finished, plus a little, so one more claim usually suffices.
      const margin = Math.max(MIN_POLL_MS, estimate / 10);
      return Math.max(estimate - Math.max(0, lockAgeMs) + margin, poll);
    },
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
