/**
 * The one clock of the core: epoch milliseconds and a sleep, injected everywhere time matters (the codec's
 * iat/exp, token expiry, lock and grace lifetimes, waits), so tests move time instead of waiting for it.
 */

/** Time as the core reads it (RuntimeDependencies.clock): epoch milliseconds and a sleep. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
});

/** Whole seconds since the epoch, as JWT claims count them. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
