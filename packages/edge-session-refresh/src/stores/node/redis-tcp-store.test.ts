/**
 * The node-redis store against the real thing: the lock-store contract on a standalone redis-server and on
 * a 3-master Redis Cluster the test starts itself, then the failures a TCP store meets, each as its STORE_*
 * code: refused connections, wrong credentials, a server that stops answering, READONLY on a replica,
 * CLUSTERDOWN, and a cluster's MOVED followed by the client rather than reported.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../core/clock";
import type { LockStore } from "../../core/refresh/lock-store";
import { keyNames } from "../redis-scripts";
import { LOCK_STORES } from "../table";
import { lockStoreContract } from "../contract";
import { redisKeysWithTtl } from "../../../../../test-support/redis-keys";
import { freePort } from "../../../../../test-support/ports";
import { connectRedis, deleteKeys, startRedis, type TestRedis } from "../../../../../test-support/redis";
import { startRedisCluster, type TestRedisCluster } from "../../../../../test-support/redis-cluster";
import { spawnRedisServer } from "../../../../../test-support/redis-server";
import { createOwnRedisTcpLockStore, NODE_TCP_REDIS, redisConnectionFor, type RedisConnection } from "./index";

let redis: TestRedis;
let cluster: TestRedisCluster;
let deadPort: number;
const connections: RedisConnection[] = [];

function own(settings: Parameters<typeof createOwnRedisTcpLockStore>[0]): LockStore {
  const { store, connection } = createOwnRedisTcpLockStore(settings);
  connections.push(connection);
  return store;
}
const clusterSettings = (nodes: readonly string[]) => ({
  kind: "redis-cluster" as const,
  nodes,
  tls: false,
  username: undefined,
  password: undefined,
});

beforeAll(async () => {
  [redis, cluster, deadPort] = await Promise.all([startRedis(), startRedisCluster(), freePort()]);
});
afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await deleteKeys(redis.url, "esr:");
  await Promise.all([redis.stop(), cluster.stop()]);
});

let serial = 0;
const fresh = () => keyNames(`tcp-store-test-${process.pid}-${++serial}`);

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return "no error";
  } catch (error) {
    return (error as { code?: string }).code ?? `uncoded ${String(error)}`;
  }
}

lockStoreContract(
  "node-redis on a standalone redis-server (REDIS_URL)",
  () => ({
    store: () => own({ kind: "redis", url: redis.url }),
    keysWithTtl: (ids) => redisKeysWithTtl([redis.url], ids),
    unreachable: () => own({ kind: "redis", url: `redis://127.0.0.1:${deadPort}` }),
  }),
  { describe, it, expect },
);

lockStoreContract(
  "node-redis on a 3-master Redis Cluster (REDIS_CLUSTER_NODES)",
  () => ({
    store: () => own(clusterSettings(cluster.nodes)),
    keysWithTtl: (ids) =>
      redisKeysWithTtl(
        cluster.nodes.map((node) => `redis://${node}`),
        ids,
      ),
    unreachable: () => own(clusterSettings([`127.0.0.1:${deadPort}`])),
  }),
  { describe, it, expect },
);

describe("node-redis store: connections", () => {
  it("one connection per process for one setting, opened at the first command, not before", async () => {
    const settings = { kind: "redis" as const, url: `${redis.url}/0?name=lazy-test` };
    const connectedClients = async () => {
      const direct = await connectRedis(redis.url);
      try {
        const info = String(await direct.sendCommand(["INFO", "clients"]));
        return Number(/connected_clients:(\d+)/.exec(info)?.[1]) - 1; // not counting this one
      } finally {
        await direct.close();
      }
    };
    const before = await connectedClients();
    const context = { clock: systemClock, production: true, tcpRedis: NODE_TCP_REDIS };
    const stores = [LOCK_STORES.redis.create(settings, context), LOCK_STORES.redis.create(settings, context)];
    expect(redisConnectionFor(settings)).toBe(redisConnectionFor({ ...settings }));
    expect(await connectedClients()).toBe(before);
    await Promise.all(stores.map((store) => store.claim(fresh(), "a", 5000)));
    expect(await connectedClients()).toBe(before + 1);
    await redisConnectionFor(settings).close();
  });
});

describe("node-redis store: failures told apart", () => {
  it("wrong credentials are STORE_UNAUTHORIZED (WRONGPASS), on every operation", async () => {
    const password = "s3cret-for-this-test";
    const port = await freePort();
    const server = await spawnRedis(port, ["--requirepass", password]);
    try {
      const wrong = own({ kind: "redis", url: `redis://default:not-it@127.0.0.1:${port}` });
      expect(await codeOf(wrong.claim(fresh(), "a", 5000))).toBe("STORE_UNAUTHORIZED");
      expect(await codeOf(wrong.ping())).toBe("STORE_UNAUTHORIZED");
      const none = own({ kind: "redis", url: `redis://127.0.0.1:${port}` });
      expect(await codeOf(none.claim(fresh(), "a", 5000))).toBe("STORE_UNAUTHORIZED"); // NOAUTH
      const right = own({ kind: "redis", url: `redis://default:${password}@127.0.0.1:${port}` });
      expect((await right.claim(fresh(), "a", 5000)).kind).toBe("leader");
    } finally {
      await stop(server);
    }
  });

  it("a server that stops answering mid-command is STORE_TIMEOUT (the command may have run)", async () => {
    const port = await freePort();
    const server = await spawnRedis(port, []);
    try {
      const store = own({ kind: "redis", url: `redis://127.0.0.1:${port}` });
      expect((await store.claim(fresh(), "a", 5000)).kind).toBe("leader");
      server.kill("SIGSTOP"); // alive but silent: the socket stays open, nothing answers
      expect(await codeOf(store.claim(fresh(), "a", 5000))).toBe("STORE_TIMEOUT");
    } finally {
      server.kill("SIGCONT");
      await stop(server);
    }
  });

  it("a replica's READONLY during a failover is STORE_SERVER_ERROR, never a lock", async () => {
    const port = await freePort();
    const replica = await spawnRedis(port, ["--replicaof", redis.host, String(redis.port)]);
    try {
      const store = own({ kind: "redis", url: `redis://127.0.0.1:${port}` });
      expect(await codeOf(store.claim(fresh(), "a", 5000))).toBe("STORE_SERVER_ERROR");
    } finally {
      await stop(replica);
    }
  });

  it("the server going away and coming back: STORE_UNREACHABLE while down (no queue), served again once back", async () => {
    const port = await freePort();
    let server = await spawnRedis(port, []);
    const store = own({ kind: "redis", url: `redis://127.0.0.1:${port}` });
    try {
      expect((await store.claim(fresh(), "a", 5000)).kind).toBe("leader");
      await stop(server);
      expect(await codeOf(store.claim(fresh(), "a", 5000))).toBe("STORE_UNREACHABLE");
      server = await spawnRedis(port, []);
      await eventually(async () => (await store.claim(fresh(), "a", 5000)).kind === "leader");
    } finally {
      await stop(server);
    }
  });

  it("on a cluster, keys in every slot are served: MOVED is followed by the client, not reported", async () => {
    // A client that knows only one seed still reaches keys owned by the other masters.
    const store = own(clusterSettings([cluster.nodes[0]!]));
    const keys = Array.from({ length: 30 }, fresh);
    const results = await Promise.all(keys.map((key) => store.claim(key, "a", 5000)));
    expect(results.every((result) => result.kind === "leader")).toBe(true);
    // The locks really are spread over the masters, so most of those claims went through a redirection.
    const ids = keys.map((key) => key.id);
    const mastersHolding = await Promise.all(
      cluster.nodes.map(async (node) => (await redisKeysWithTtl([`redis://${node}`], ids)).length),
    );
    expect(mastersHolding.filter((count) => count > 0).length).toBe(3);
    expect(mastersHolding.reduce((a, b) => a + b, 0)).toBe(30);
  });

  it("a cluster that lost a master answers CLUSTERDOWN for its slots: STORE_SERVER_ERROR or STORE_UNREACHABLE, never a lock", async () => {
    const own3 = await startRedisCluster();
    try {
      const store = own(clusterSettings(own3.nodes));
      expect((await store.claim(fresh(), "a", 5000)).kind).toBe("leader");
      await own3.stopNode(2);
      const codes = new Set<string>();
      // Some ids hash to the stopped master's slots; once the others mark it failed they answer CLUSTERDOWN.
      await eventually(async () => {
        const code = await codeOf(store.claim(fresh(), "a", 5000));
        codes.add(code);
        return code === "STORE_SERVER_ERROR";
      });
      for (const code of codes)
        expect(["no error", "STORE_SERVER_ERROR", "STORE_UNREACHABLE", "STORE_TIMEOUT"]).toContain(code);
    } finally {
      await own3.stop();
    }
  });
});

/** Re-checks until true; the store's reconnect back-off decides how long that takes. */
async function eventually(check: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function spawnRedis(port: number, extra: string[]): Promise<ChildProcess> {
  return (await spawnRedisServer(port, extra)).process;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGCONT");
    child.kill("SIGKILL");
  });
}
