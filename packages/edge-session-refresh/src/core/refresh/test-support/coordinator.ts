/** One way for tests to build a coordinator: defaults that suit tests, events collected instead of logged. */
import type { Clock } from "../../clock";
import {
  createRefreshCoordinator,
  type CoordinatorSettings,
  type RefreshBackend,
  type RefreshCoordinator,
} from "../coordinator";
import type { CoordinatorEvent } from "../events";
import type { LockStore } from "../lock-store";

export const TEST_COORDINATOR_SETTINGS: CoordinatorSettings = Object.freeze({
  graceMs: 30_000,
  backendTimeoutMs: 2_000,
  refreshSkewMs: 0,
  unlockedWhenStoreFails: false,
});

export interface TestCoordinator extends RefreshCoordinator {
  /** Every event the coordinator reported, in order. */
  readonly events: CoordinatorEvent[];
}

export function testCoordinator(options: {
  store: LockStore;
  backend: RefreshBackend;
  clock?: Clock;
  settings?: Partial<CoordinatorSettings>;
}): TestCoordinator {
  const events: CoordinatorEvent[] = [];
  const coordinator = createRefreshCoordinator({
    store: options.store,
    backend: options.backend,
    clock: options.clock,
    settings: { ...TEST_COORDINATOR_SETTINGS, ...options.settings },
    onEvent: (event) => events.push(event),
  });
  return Object.assign(coordinator, { events });
}

/**
 * A clock for tests: time moves only when everyone who is going to sleep has (the next macrotask), and
 * then jumps to the earliest wake-up, so concurrent sleepers see one consistent time line and a test of
 * a 30 s grace window takes milliseconds. `advance` moves it by hand. `realStepMs` lets that much real time
 * pass before each jump, for code that awaits real asynchronous work (Web Crypto) between its sleeps: a
 * leader in the middle of one must not see the clock jump past its waiters.
 */
export function manualClock(start = Date.UTC(2026, 0, 1), realStepMs = 0): Clock & { advance(ms: number): void } {
  let now = start;
  const timers: Array<{ at: number; wake: () => void }> = [];
  let ticking = false;
  function tick(): void {
    if (ticking) return;
    ticking = true;
    setTimeout(() => {
      ticking = false;
      if (timers.length === 0) return;
      timers.sort((a, b) => a.at - b.at);
      now = Math.max(now, timers[0]!.at);
      const due = timers.filter((timer) => timer.at <= now);
      timers.splice(0, due.length);
      for (const timer of due) timer.wake();
      if (timers.length > 0) tick();
    }, realStepMs);
  }
  return {
    now: () => now,
    advance(ms) {
      now += ms;
    },
    sleep(ms) {
      return new Promise<void>((wake) => {
        timers.push({ at: now + Math.max(0, ms), wake });
        tick();
      });
    },
  };
}
