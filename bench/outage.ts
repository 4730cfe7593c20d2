/**
 * `npm run bench:outage`: backend calls during a 10 s backend outage, with 50 users × 5 tabs over 3
 * isolates (coordinators) sharing one real Redis (through the Upstash-REST bridge) and the real reference
 * backend answering 503. Each tab asks every 500 ms, as a page retrying after its 503 would. Run twice in
 * the same process: with the "unavailable" back-off marker (the app as shipped) and without it (each
 * failure only frees the lock, as before), and printed side by side.
 */
import { loadavg } from "node:os";
import { parseSettings, type BackendTokens } from "edge-session-refresh";
import {
  createBackendClient,
  createRefreshCoordinator,
  createUpstashLockStore,
  createUpstashRestClient,
  STORE_REST_OPTIONS,
} from "../test-support/package-internals";
import { backendLogin, startServices } from "../test-support/services";

const USERS = 50;
const TABS = 5;
const ISOLATES = 3;
const OUTAGE_MS = 10_000;
const ASK_EVERY_MS = 500;

async function run(
  label: string,
  unavailableBackoffMs: number | undefined,
): Promise<{ label: string; calls: number; requests: number; answers: Record<string, number> }> {
  const services = await startServices({ backend: { refreshLatencyMs: 20 } });
  try {
    const client = createBackendClient({
      settings: parseSettings({ BACKEND_URL: services.backend.url, BACKEND_TIMEOUT_MS: "2000" }).backend,
    });
    const isolates = Array.from({ length: ISOLATES }, () =>
      createRefreshCoordinator({
        store: createUpstashLockStore(
          createUpstashRestClient(
            {
              url: services.storeEnv.UPSTASH_REDIS_REST_URL,
              token: services.storeEnv.UPSTASH_REDIS_REST_TOKEN,
            },
            STORE_REST_OPTIONS,
          ),
        ),
        backend: client,
        settings: {
          graceMs: 30_000,
          backendTimeoutMs: 2_000,
          refreshSkewMs: 0,
          unlockedWhenStoreFails: false,
          unavailableBackoffMs,
        },
        onEvent: () => {},
      }),
    );
    const sessions: BackendTokens[] = [];
    for (let user = 0; user < USERS; user++)
      sessions.push({ ...(await backendLogin(services.backend.url)), accessTokenExpires: Date.now() - 1 });
    services.backend.setOptions({ failMode: "down" });
    services.backend.resetStats();
    const answers: Record<string, number> = {};
    let requests = 0;
    const until = Date.now() + OUTAGE_MS;
    while (Date.now() < until) {
      const round = Date.now();
      const outcomes = await Promise.all(
        sessions.flatMap((session) =>
          Array.from({ length: TABS }, (_, tab) => isolates[tab % ISOLATES]!.refresh(session)),
        ),
      );
      for (const outcome of outcomes) answers[outcome.kind] = (answers[outcome.kind] ?? 0) + 1;
      requests += outcomes.length;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, ASK_EVERY_MS - (Date.now() - round))));
    }
    return { label, calls: services.backend.stats().refreshAttempts, requests, answers };
  } finally {
    await services.close();
  }
}

async function main(): Promise<void> {
  console.log(
    `backend outage of ${OUTAGE_MS / 1000} s, ${USERS} users x ${TABS} tabs over ${ISOLATES} isolates, one real Redis, a request per tab every ${ASK_EVERY_MS} ms; load average ${loadavg()[0]!.toFixed(2)}`,
  );
  const without = await run("without the back-off marker (before)", 0);
  const withMarker = await run("with the 2 s back-off marker (as shipped)", undefined);
  console.log(
    "\n| run | requests | backend refresh calls | calls per user | answers |\n| --- | --- | --- | --- | --- |",
  );
  for (const result of [without, withMarker]) {
    console.log(
      `| ${result.label} | ${result.requests} | ${result.calls} | ${(result.calls / USERS).toFixed(1)} | ${JSON.stringify(result.answers)} |`,
    );
  }
  console.log(
    `\nratio: ${(without.calls / Math.max(1, withMarker.calls)).toFixed(1)}x fewer backend calls with the marker`,
  );
  if (
    Object.keys(without.answers).some((kind) => kind !== "unavailable") ||
    Object.keys(withMarker.answers).some((kind) => kind !== "unavailable")
  ) {
    console.error("a request got something other than `unavailable` during the outage");
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
