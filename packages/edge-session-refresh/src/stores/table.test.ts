/** The stores table: each kind's entry, outside entries, and the TCP stores refused where they cannot run. */
import { describe, expect, it } from "vitest";
import { systemClock } from "../core/clock";
import { isSessionError } from "../core/errors";
import { createSessionRuntime } from "../core/runtime";
import { parseSettings } from "../core/settings";
import type { LockStore } from "../core/refresh/lock-store";
import type { TcpRedis } from "./entry";
import { createMemoryLockStore } from "./memory";
import { LOCK_STORES, lockStoreFor } from "./table";

const secret = { NEXTAUTH_SECRET: "a-secret-that-is-long-enough-for-production-use" };

/** The settings a CONFIG_INVALID names. */
function configProblems(work: () => unknown): string[] | string {
  try {
    work();
    return "no error";
  } catch (error) {
    return isSessionError(error, "CONFIG_INVALID")
      ? error.problems.map((problem) => problem.setting)
      : `unexpected: ${String(error)}`;
  }
}

describe("the stores table", () => {
  it("only the in-memory store may refresh unlocked when it fails: a shared store's outage is no licence", () => {
    expect(
      Object.entries(LOCK_STORES).map(([kind, entry]) => [kind, entry.shared, entry.unlockedWhenStoreFails]),
    ).toEqual([
      ["memory", false, true],
      ["upstash", true, false],
      ["redis", true, false],
      ["redis-cluster", true, false],
    ]);
  });

  it.each([
    [{ REDIS_URL: "redis://127.0.0.1:6379" }, "REDIS_URL"],
    [{ REDIS_CLUSTER_NODES: "127.0.0.1:7000" }, "REDIS_CLUSTER_NODES"],
  ])(
    "without the Node runtime's entries, %j is a configuration error at the first request naming the Node runtime and Upstash",
    (env, setting) => {
      const settings = parseSettings({ ...secret, ...env });
      expect(configProblems(() => createSessionRuntime(settings, { announceStore: false }))).toEqual([setting]);
    },
  );

  it("the TCP kinds build with the TCP driver the runtime is given, and their entry's properties decide", () => {
    const built: LockStore[] = [];
    const outside: TcpRedis = {
      lockStore: () => {
        const store = createMemoryLockStore();
        built.push(store);
        return store;
      },
      scripts: () => ({ eval: async () => [0, 0, 1] }),
    };
    const chosen = lockStoreFor(
      parseSettings({ ...secret, REDIS_URL: "redis://default:pw@cache:6379" }).store,
      systemClock,
      true,
      outside,
    );
    expect(chosen.store).toBe(built[0]);
    expect(chosen).toMatchObject({ shared: true, unlockedWhenStoreFails: false });
    expect(chosen.description).toBe("[session] lock store: Redis over TCP at redis://default:***@cache:6379");
    const runtime = createSessionRuntime(parseSettings({ ...secret, REDIS_URL: "redis://cache:6379" }), {
      tcpRedis: outside,
      announceStore: false,
      onEvent: () => {},
    });
    expect(runtime.store).toBe(built[1]);
  });
});
