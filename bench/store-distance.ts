/**
 * How long requests wait for another instance's refresh when the lock store is far away: the table of
 * issue 18 ("store round trip | leader waits | everyone else waits"), without `next start` in the way.
 *
 * Three coordinators (three isolates, each with its own Upstash client) share one real Redis behind the
 * Upstash-REST bridge with a simulated round trip; the reference backend refreshes in 150 ms. Each wave,
 * one fresh session expires and 30 requests carry it at once, round-robin over the three. Every coordinator
 * has led a refresh before the first wave (as the load test's warm-up makes every instance do), and the
 * bridge counts the lock-store commands of each wave.
 *
 *   npx tsx bench/store-distance.ts [--store-latency-ms 40,100] [--waves 20]
 *
 * The load test (`npm run loadtest -- --store-latency-ms N`) measures the same through real instances;
 * on a shared machine its figures are dominated by queueing inside `next start`, which is why this exists.
 */
import { startReferenceBackend } from "../dev/backend/server";
import { startRedisRestBridge } from "../dev/redis-rest/bridge";
import { parseSettings, type BackendTokens } from "edge-session-refresh";
import {
  createBackendClient,
  createRefreshCoordinator,
  createUpstashLockStore,
  createUpstashRestClient,
  STORE_REST_OPTIONS,
  type RefreshCoordinator,
} from "../test-support/package-internals";
import { startRedis } from "../test-support/redis";

const BACKEND_MS = 150;
const INSTANCES = 3;
const REQUESTS = 30;
const TOKEN = "store-distance-token";
const WARM_UP_LEADS = 2;

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1]! : fallback;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

interface Wave {
  leaderMs: number;
  othersMs: number[];
  commands: number;
  refreshes: number;
}

async function measure(storeLatencyMs: number, waves: number): Promise<Wave[]> {
  const redis = await startRedis();
  const bridge = await startRedisRestBridge({ redisUrl: redis.url, port: 0, token: TOKEN, latencyMs: storeLatencyMs });
  const backend = await startReferenceBackend({ port: 0, refreshLatencyMs: BACKEND_MS });
  try {
    const client = createBackendClient({
      settings: parseSettings({ BACKEND_URL: backend.url, BACKEND_TIMEOUT_MS: "5000" }).backend,
    });
    const isolates: RefreshCoordinator[] = Array.from({ length: INSTANCES }, () =>
      createRefreshCoordinator({
        store: createUpstashLockStore(createUpstashRestClient({ url: bridge.url, token: TOKEN }, STORE_REST_OPTIONS)),
        backend: client,
        settings: { graceMs: 30_000, backendTimeoutMs: 5_000, refreshSkewMs: 0, unlockedWhenStoreFails: false },
        onEvent: () => {},
      }),
    );
    const session = async (): Promise<BackendTokens> => {
      const result = await client.login("demo@example.com", "demo-password");
      if (result.kind !== "ok") throw new Error(`login failed: ${JSON.stringify(result)}`);
      return { ...result.value, accessTokenExpires: Date.now() - 1_000 };
    };
    // Warm-up: every isolate leads refreshes (the first loads the scripts), as the load test's warm-up does.
    for (let round = 0; round < WARM_UP_LEADS; round++)
      for (const isolate of isolates) await isolate.refresh(await session());

    const results: Wave[] = [];
    for (let wave = 0; wave < waves; wave++) {
      const expired = await session();
      bridge.resetStats();
      backend.resetStats();
      const timed = await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          const started = performance.now();
          const outcome = await isolates[i % INSTANCES]!.refresh(expired);
          return { kind: outcome.kind, ms: performance.now() - started };
        }),
      );
      const leader = timed.find((t) => t.kind === "refreshed");
      const failed = timed.filter((t) => t.kind !== "refreshed" && t.kind !== "joined");
      if (!leader || failed.length > 0) throw new Error(`wave ${wave}: ${JSON.stringify(timed.map((t) => t.kind))}`);
      results.push({
        leaderMs: leader.ms,
        othersMs: timed.filter((t) => t !== leader).map((t) => t.ms),
        commands: bridge.stats().commands,
        refreshes: backend.stats().refreshAttempts,
      });
    }
    return results;
  } finally {
    await Promise.allSettled([bridge.close(), backend.close()]);
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const latencies = option("--store-latency-ms", "40,100").split(",").map(Number);
  const waves = Number(option("--waves", "20"));
  const rows: string[] = [];
  for (const latency of latencies) {
    const results = await measure(latency, waves);
    const leader = results.map((r) => r.leaderMs);
    const others = results.flatMap((r) => r.othersMs);
    const gaps = results.map((r) => Math.max(...r.othersMs) - r.leaderMs);
    const commands = results.map((r) => r.commands / r.refreshes);
    const f = (ms: number) => Math.round(ms);
    rows.push(
      `| ${latency} ms | ${f(percentile(leader, 50))} ms | p50 ${f(percentile(others, 50))}, p99 ${f(percentile(others, 99))} ms; ` +
        `last waiter after the leader: median ${f(percentile(gaps, 50))}, worst ${f(Math.max(...gaps))} ms | ` +
        `${(commands.reduce((a, b) => a + b, 0) / commands.length).toFixed(2)} (max ${Math.max(...commands)}) |`,
    );
  }
  console.log(`${waves} waves of ${REQUESTS} requests over ${INSTANCES} isolates, backend ${BACKEND_MS} ms\n`);
  console.log("| store round trip | leader waits (median) | everyone else waits | lock-store commands per refresh |");
  console.log("| --- | ---: | --- | ---: |");
  for (const row of rows) console.log(row);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
