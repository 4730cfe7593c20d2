/**
 * The load test's backing services in a process of their own: a private Redis, the Upstash-REST bridge in
 * front of it and the reference backend; with `--store redis` a redis-server of its own for REDIS_URL, with
 * `--store redis-cluster` a 3-master Redis Cluster for REDIS_CLUSTER_NODES. Kept out of the load generator's process so that its bursts of
 * response parsing do not delay lock-store and backend answers, which are what the storm measures.
 *
 * Started by stack.ts with its settings as JSON in argv[2]; prints one JSON line with its URLs once ready;
 * answers `GET /stats` with both counters (`POST /stats/reset` zeroes them first); stops on SIGTERM, SIGINT or when its parent goes away (stdin
 * closes).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BackendUser } from "../../dev/backend/server";
import { createClient } from "redis";
import { freePort } from "../../test-support/ports";
import { startRedisCluster } from "../../test-support/redis-cluster";
import { spawnRedisServer } from "../../test-support/redis-server";
import { startServices } from "../../test-support/services";
import type { LoadTestStore } from "./cli";

export interface ServicesConfig {
  readonly users: readonly BackendUser[];
  readonly refreshLatencyMs: number;
  readonly accessTokenTtlSeconds: number;
  readonly storeToken: string;
  readonly storeLatencyMs: number;
  readonly store: LoadTestStore;
}

export interface ServicesReady {
  readonly backendUrl: string;
  readonly storeUrl: string;
  readonly statsUrl: string;
  /** The app's lock-store settings: UPSTASH_* for the bridge, REDIS_URL or REDIS_CLUSTER_NODES over TCP. */
  readonly storeEnv: Readonly<Record<string, string>>;
}

/**
 * Lock-store commands a TCP Redis was sent, from INFO commandstats (reset with CONFIG RESETSTAT), summed
 * over every master: the script calls (EVALSHA, EVAL), executed or rejected. Only those: the store sends
 * nothing else but PING, and commandstats also counts every redis.call inside a script, which are not
 * round trips. What the bridge counts for Upstash, counted at the server.
 */
interface TcpStore {
  readonly env: Record<string, string>;
  commands(): Promise<number>;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const SCRIPT_CALLS = /^cmdstat_(?:eval|evalsha|eval_ro|evalsha_ro):calls=(\d+),.*?rejected_calls=(\d+)/gm;

async function startTcpStore(kind: "redis" | "redis-cluster"): Promise<TcpStore> {
  let ports: number[];
  let env: Record<string, string>;
  let stopServers: () => Promise<void>;
  if (kind === "redis") {
    const server = await spawnRedisServer(await freePort());
    ports = [server.port];
    env = { REDIS_URL: server.url };
    stopServers = () => server.stop();
  } else {
    const cluster = await startRedisCluster();
    ports = cluster.nodes.map((node) => Number(node.split(":").at(-1)));
    env = { REDIS_CLUSTER_NODES: cluster.nodesSetting };
    stopServers = () => cluster.stop();
  }
  const readers = await Promise.all(
    ports.map(async (port) => {
      const client = createClient({ url: `redis://127.0.0.1:${port}` });
      client.on("error", () => {});
      await client.connect();
      return client;
    }),
  );
  return {
    env,
    async commands() {
      let total = 0;
      for (const reader of readers) {
        const info = String(await reader.sendCommand(["INFO", "commandstats"]));
        for (const match of info.matchAll(SCRIPT_CALLS)) total += Number(match[1]) + Number(match[2]);
      }
      return total;
    },
    async reset() {
      await Promise.all(readers.map((reader) => reader.sendCommand(["CONFIG", "RESETSTAT"])));
    },
    async stop() {
      await Promise.all(readers.map((reader) => reader.close().catch(() => {})));
      await stopServers();
    },
  };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ServicesConfig;
  const services = await startServices({
    storeToken: config.storeToken,
    storeLatencyMs: config.storeLatencyMs,
    backend: {
      users: config.users,
      refreshLatencyMs: config.refreshLatencyMs,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    },
  });
  const { bridge, backend } = services;
  const tcp = config.store === "upstash" ? undefined : await startTcpStore(config.store);

  const statsServer = createServer((request, response) => {
    void (async () => {
      if (request.method === "POST" && request.url === "/stats/reset") {
        backend.resetStats();
        bridge.resetStats();
        await tcp?.reset();
      } else if (request.method !== "GET" || request.url !== "/stats") {
        response.writeHead(404).end();
        return;
      }
      const store = tcp === undefined ? bridge.stats() : { commands: await tcp.commands() };
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ backend: backend.stats(), store }));
    })().catch((error: unknown) => response.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => statsServer.listen(0, "127.0.0.1", resolve));
  const { port } = statsServer.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      statsServer.closeAllConnections();
      statsServer.close();
      await tcp?.stop();
      await services.close();
      process.exit(0);
    })();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();

  const ready: ServicesReady = {
    backendUrl: backend.url,
    storeUrl: bridge.url,
    statsUrl: `http://127.0.0.1:${port}/stats`,
    storeEnv: tcp?.env ?? { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: config.storeToken },
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
  console.error("[loadtest services] failed to start:", error);
  process.exit(1);
});
