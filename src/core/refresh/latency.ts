/**
 * When a waiter on another isolate asks the store again. Upstash's REST API has no blocking command, so a
 * waiter cannot be woken by the leader's settle; it can only ask again, and every ask is a command. The
 * aim is ONE re-claim per waiting isolate that lands in the store just after the leader's settle.
 *
 * Everything is measured in the store's frame, where both the leader and the waiter can see it:
 * - the "settle age": how old the leader's lock is when its settle lands (its claim's half round trip,
 *   the backend call, the settle's half round trip). This isolate learns it from its own leads (claim
 *   midpoint to settle midpoint, exactly) and from waits whose first re-claim came too early (where the
 *   outcome was found: an upper bound within one poll);
 * - the lock's age at the busy answer (the store's PTTL, against the lock TTL every instance uses), placed
 *   at the midpoint of that claim's round trip, which gives when the lock was taken in our own clock;
 * - this claim's own round trip, so the re-claim is sent half a round trip before it should land.
 *
 * The re-claim then lands `margin` after the settle, and the waiter answers `margin` after the leader:
 * within one store round trip of it, as the margin never exceeds half of one (plus a floor).
 */

/** Before anything was observed: a typical backend refresh. */
export const INITIAL_ESTIMATE_MS = 100;
/** Weight of the newest observation. */
const SMOOTHING = 0.3;
/** The estimate stays within these bounds, whatever one odd observation says. */
const MIN_ESTIMATE_MS = 5;
const MAX_ESTIMATE_MS = 2_000;
/** Re-asks after the one well-timed re-claim came too early start at a quarter of the estimate and slow down, up to a cap. */
const MIN_POLL_MS = 5;
const MAX_POLL_MS = 50;
const POLL_GROWTH = 1.5;
const MAX_BACKED_OFF_POLL_MS = 200;
/** The re-claim lands this long after the expected settle: a floor, a tenth of the estimate and a quarter of a round trip. */
const MARGIN_FLOOR_MS = 5;
const MARGIN_SHARE_OF_ESTIMATE = 0.1;
const MARGIN_SHARE_OF_ROUND_TRIP = 0.25;

export interface LatencyEstimate {
  /** A settle age seen: how old a leader's lock was when its outcome landed in the store. */
  observe(settleAgeMs: number): void;
  current(): number;
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
  };
}

/** One claim as this isolate timed it, in its own clock. */
export interface TimedClaim {
  readonly sentAt: number;
  readonly answeredAt: number;
}

/** When the store ran the claim, in our clock: the middle of its round trip. */
export function storeMoment(claim: TimedClaim): number {
  return (claim.sentAt + claim.answeredAt) / 2;
}

/** How far after the expected settle the re-claim lands. */
export function settleMargin(settleAgeMs: number, roundTripMs: number): number {
  return MARGIN_FLOOR_MS + MARGIN_SHARE_OF_ESTIMATE * settleAgeMs + MARGIN_SHARE_OF_ROUND_TRIP * Math.max(0, roundTripMs);
}

/**
 * How long after a busy answer to send the one re-claim, so it lands just after the leader's settle.
 * `lockTakenAt` is when the leader's lock was taken, in our clock (see `lockTakenAt`).
 */
export function reclaimDelay(busy: TimedClaim, lockTakenAt: number, settleAgeMs: number): number {
  const roundTrip = Math.max(0, busy.answeredAt - busy.sentAt);
  const landAt = lockTakenAt + settleAgeMs + settleMargin(settleAgeMs, roundTrip);
  // A leader already past its expected settle: ask soon, not at once.
  return Math.max(MIN_POLL_MS, landAt - roundTrip / 2 - busy.answeredAt);
}

/** When the leader's lock was taken, in our clock, from a busy claim and the lock's age in the store. */
export function lockTakenAt(busy: TimedClaim, lockAgeMs: number): number {
  return storeMoment(busy) - Math.max(0, lockAgeMs);
}

/** After the re-claim came too early (the leader is late): ask again soon, then less and less often. */
export function pollDelay(settleAgeMs: number, earlyAsks: number): number {
  const poll = clamp(settleAgeMs / 4, MIN_POLL_MS, MAX_POLL_MS);
  return Math.min(poll * POLL_GROWTH ** Math.max(0, earlyAsks - 1), MAX_BACKED_OFF_POLL_MS);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
