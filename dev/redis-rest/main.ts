// `npm run redis:rest`: the Upstash REST bridge in front of a local Redis, so the app can use a
// shared lock store in development exactly as it would use Upstash in production.
import { startRedisRestBridge } from "./bridge";
import { redactRedisUrl } from "./redis";
import { parseLatency } from "./latency";

const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
const DEFAULT_PORT = 8079;

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const port = parsePort(process.env.REDIS_REST_PORT);
  // Random unless REDIS_REST_TOKEN is set: a well-known token would let anything on this machine
  // that can reach the port drive the developer's Redis. Set it to keep .env lines across restarts.
  const fixedToken = process.env.REDIS_REST_TOKEN || undefined;
  const latencyMs = parseLatency(process.env.REDIS_REST_LATENCY_MS);

  let lastRedisError = "";
  const bridge = await startRedisRestBridge({
    redisUrl,
    port,
    token: fixedToken,
    latencyMs,
    onRedisError: (error) => {
      // A lost connection retries every couple of seconds; say so once per distinct failure.
      if (error.message === lastRedisError) return;
      lastRedisError = error.message;
      console.error(`[redis:rest] Redis connection error: ${error.message}`);
    },
  });
  const tokenNote = fixedToken ? "from REDIS_REST_TOKEN" : "random for this run; set REDIS_REST_TOKEN to fix it";
  console.log(`Upstash REST bridge on ${bridge.url} -> ${redactRedisUrl(redisUrl)}`);
  console.log(`token: ${bridge.token} (${tokenNote})`);
  if (latencyMs > 0) console.log(`Simulated store distance: ${latencyMs} ms per request (REDIS_REST_LATENCY_MS).`);
  console.log("Loopback callers only; no browser (Origin) requests; only the commands the app uses.");
  console.log("Use it from the app with (e.g. in .env.local):");
  console.log(`UPSTASH_REDIS_REST_URL=${bridge.url}`);
  console.log(`UPSTASH_REDIS_REST_TOKEN=${bridge.token}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second Ctrl-C means "now", even if a blocking command keeps close() waiting.
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`\n${signal}: closing the bridge`);
    bridge.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === "") return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`REDIS_REST_PORT must be a port number, got ${JSON.stringify(value)}`);
  }
  return port;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
