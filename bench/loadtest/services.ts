/**
 * The load test's backing services in a process of their own: a private Redis, the Upstash-REST bridge in
 * front of it and the reference backend. Kept out of the load generator's process so that its bursts of
 * response parsing do not delay lock-store and backend answers, which are what the storm measures.
 *
 * Started by stack.ts with its settings as JSON in argv[2]; prints one JSON line with its URLs once ready;
 * answers `GET /stats` with both counters (`POST /stats/reset` zeroes them first); stops on SIGTERM, SIGINT or when its parent goes away (stdin
 * closes).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { BackendUser } from "../../dev/backend/server";
import { startServices } from "../../test-support/services";

export interface ServicesConfig {
  readonly users: readonly BackendUser[];
  readonly refreshLatencyMs: number;
  readonly accessTokenTtlSeconds: number;
  readonly storeToken: string;
  readonly storeLatencyMs: number;
}

export interface ServicesReady {
  readonly backendUrl: string;
  readonly storeUrl: string;
  readonly statsUrl: string;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? "{}") as ServicesConfig;
  const services = await startServices({
    storeToken: config.storeToken,
    storeLatencyMs: config.storeLatencyMs,
    backend: { users: config.users, refreshLatencyMs: config.refreshLatencyMs, accessTokenTtlSeconds: config.accessTokenTtlSeconds },
  });
  const { bridge, backend } = services;

  const statsServer = createServer((request, response) => {
    if (request.method === "POST" && request.url === "/stats/reset") {
      backend.resetStats();
      bridge.resetStats();
    } else if (request.method !== "GET" || request.url !== "/stats") {
      response.writeHead(404).end();
      return;
    }
    const body = JSON.stringify({ backend: backend.stats(), store: bridge.stats() });
    response.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => statsServer.listen(0, "127.0.0.1", resolve));
  const { port } = statsServer.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      statsServer.closeAllConnections();
      statsServer.close();
      await services.close();
      process.exit(0);
    })();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();

  const ready: ServicesReady = { backendUrl: backend.url, storeUrl: bridge.url, statsUrl: `http://127.0.0.1:${port}/stats` };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
  console.error("[loadtest services] failed to start:", error);
  process.exit(1);
});
