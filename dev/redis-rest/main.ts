// `npm run redis:rest`: the Upstash REST bridge in front of a local Redis, so the app can use a
// shared lock store in development exactly as it would use Upstash in production.
import { startRedisRestBridge } from './bridge';
import { redactRedisUrl } from './resp';

const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
const DEFAULT_PORT = 8079;
// A fixed, well-known value: the bridge listens on loopback and is for development only, and a
// stable token means the .env lines printed below keep working across restarts.
const DEV_TOKEN = 'local-dev-token';

async function main(): Promise<void> {
  const redisUrl = process.env.REDIS_URL || DEFAULT_REDIS_URL;
  const port = parsePort(process.env.REDIS_REST_PORT);
  const token = process.env.REDIS_REST_TOKEN || DEV_TOKEN;

  const bridge = await startRedisRestBridge({ redisUrl, port, token });
  const tokenNote = process.env.REDIS_REST_TOKEN ? 'from REDIS_REST_TOKEN' : 'fixed dev token; set REDIS_REST_TOKEN to change it';
  console.log(`Upstash REST bridge on ${bridge.url} -> ${redactRedisUrl(redisUrl)}`);
  console.log(`token: ${token} (${tokenNote})`);
  console.log('Use it from the app with:');
  console.log(`UPSTASH_REDIS_REST_URL=${bridge.url}`);
  console.log(`UPSTASH_REDIS_REST_TOKEN=${token}`);

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
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function parsePort(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
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
