import { describe, expect, it } from "vitest";
import { manualClock } from "./test-support/coordinator";
import { createMemoryLockStore } from "../../stores/memory";
import { keyNames } from "../../stores/redis-scripts";
import { createSingleFlight } from "./single-flight";

describe("what an isolate holds in memory is bounded and expires", () => {
  it("the in-memory store sweeps expired entries and never holds more than its bound", async () => {
    const clock = manualClock();
    const store = createMemoryLockStore({ clock, maxEntries: 1000 });
    for (let i = 0; i < 20_000; i++) {
      await store.settle(keyNames(`t${i}`), "o", "sealed", 30_000, {
        previousKey: keyNames(`u${i}`).previous,
        previousId: `t${i}`,
      });
      expect(store.size()).toBeLessThanOrEqual(1000);
      clock.advance(5); // a long-lived isolate under steady traffic
    }
    clock.advance(60_000);
    expect(store.size()).toBe(0);
  });

  it("a lock expires on its own: a dead leader does not block forever", async () => {
    const clock = manualClock();
    const store = createMemoryLockStore({ clock });
    const keys = keyNames("t");
    expect(await store.claim(keys, "a", 1000)).toEqual({ kind: "leader" });
    expect(await store.claim(keys, "b", 1000)).toEqual({ kind: "busy", lockTtlMs: 1000 });
    clock.advance(1001);
    expect(await store.claim(keys, "b", 1000)).toEqual({ kind: "leader" });
    expect(await store.release(keys.lock, "a")).toBe(false); // not a's lock any more
    expect(await store.release(keys.lock, "b")).toBe(true);
  });

  it("single-flight entries are removed when settled, and past the bound callers run alone", async () => {
    const flights = createSingleFlight<number>(3);
    const gates: Array<() => void> = [];
    const runs = Array.from({ length: 5 }, (_, i) =>
      flights.run(`k${i}`, () => new Promise<number>((resolve) => gates.push(() => resolve(i)))),
    );
    expect(flights.size()).toBe(3);
    expect(runs.map((r) => r.shared)).toEqual([false, false, false, false, false]);
    expect(flights.run("k0", async () => -1).shared).toBe(true);
    gates.forEach((open) => open());
    await Promise.all(runs.map((r) => r.promise));
    expect(flights.size()).toBe(0);
  });

  it("a task that throws before its first await is not left registered", async () => {
    const flights = createSingleFlight<number>();
    const { promise } = flights.run("k", (() => {
      throw new Error("sync");
    }) as () => Promise<number>);
    await expect(promise).rejects.toThrow("sync");
    expect(flights.size()).toBe(0);
  });
});
