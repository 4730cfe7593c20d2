// A simulated distance between the app and its store (`REDIS_REST_LATENCY_MS`, the load test"s
// `--store-latency-ms`): Upstash answers from another region in tens of milliseconds, a local Redis in
// well under one, and how the coordinator"s waiters behave depends on that round trip. The delay is
// split: half before Redis runs the command, half after, so the command runs in the middle of the round
// trip as it would over a real network and the lock ages the others see stay honest.

export interface SimulatedDistance {
  /** The way to the store: resolves half a round trip later. */
  there(): Promise<void>;
  /** The way back. */
  back(): Promise<void>;
}

export function simulatedDistance(roundTripMs: number): SimulatedDistance {
  if (!Number.isFinite(roundTripMs) || roundTripMs < 0) {
    throw new Error(`the simulated store round trip must be a number of ms >= 0, got ${roundTripMs}`);
  }
  const there = roundTripMs / 2;
  const back = roundTripMs - there;
  const delay = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => setTimeout(resolve, ms)) : Promise.resolve());
  return { there: () => delay(there), back: () => delay(back) };
}

/** `REDIS_REST_LATENCY_MS` as a number; unset or empty is 0, anything else but a whole number is an error. */
export function parseLatency(value: string | undefined): number {
  if (value === undefined || value === "") return 0;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > 10_000) {
    throw new Error(`REDIS_REST_LATENCY_MS must be a whole number of ms from 0 to 10000, got ${JSON.stringify(value)}`);
  }
  return ms;
}
