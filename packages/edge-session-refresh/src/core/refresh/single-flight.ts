/**
 * In-isolate single-flight: concurrent callers with the same key share one promise, so one isolate sends
 * at most one lock-store conversation per refresh token however many of its requests carry it. The map
 * is bounded; past the bound a caller runs alone rather than the map growing.
 */

export const MAX_IN_FLIGHT = 10_000;

export interface SingleFlight<T> {
  /** Runs `task` unless one is already running for `key`; `shared` tells the caller which it got. */
  run(key: string, task: () => Promise<T>): { promise: Promise<T>; shared: boolean };
  size(): number;
}

export function createSingleFlight<T>(maxInFlight = MAX_IN_FLIGHT): SingleFlight<T> {
  const inFlight = new Map<string, Promise<T>>();
  return {
    run(key, task) {
      const running = inFlight.get(key);
      if (running !== undefined) return { promise: running, shared: true };
      if (inFlight.size >= maxInFlight) return { promise: task(), shared: false };
      // Registered synchronously, before the task's first await, so a caller arriving during that
      // await already finds it; removed in finally whatever the outcome.
      let settled = false;
      const promise = (async () => {
        try {
          return await task();
        } finally {
          settled = true;
          inFlight.delete(key);
        }
      })();
      // A task that throws before its first await has already run its finally; do not register it.
      if (!settled) inFlight.set(key, promise);
      return { promise, shared: false };
    },
    size() {
      return inFlight.size;
    },
  };
}
