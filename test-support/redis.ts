// A real Redis for integration tests: the server named by REDIS_URL when set (CI, a shared
// dev server), otherwise a throwaway `redis-server` on a free port that dies with stop().
// A shared server is never flushed: tests isolate themselves with unique key prefixes and
// remove only their own keys afterwards (deleteKeys).
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { connect } from "node:net";
import { delimiter, join } from "node:path";
import { createClient, RESP_TYPES } from "redis";
import { freePort } from "./ports";

/** A Redis server a test may use; `stop()` ends only a server that startRedis spawned. */
export interface TestRedis {
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

const FALLBACK_BINARY = "/usr/bin/redis-server";
const STARTUP_TIMEOUT_MS = 10_000;
const PROBE_INTERVAL_MS = 50;
const PROBE_TIMEOUT_MS = 1_000;
const STOP_GRACE_MS = 3_000;
// A free port can be taken between freePort() and redis-server's bind; a fresh port usually wins.
const SPAWN_ATTEMPTS = 3;

/** Uses REDIS_URL if set, otherwise spawns a private, non-persistent redis-server. */
export async function startRedis(): Promise<TestRedis> {
  const shared = process.env.REDIS_URL;
  if (shared) return useSharedRedis(shared);

  const binary = findRedisServer();
  let lastError: unknown;
  for (let attempt = 0; attempt < SPAWN_ATTEMPTS; attempt++) {
    try {
      return await spawnRedis(binary, await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

/** A node-redis client connected to `redisUrl`, for tests that look at Redis directly (close() it). */
export async function connectRedis(redisUrl: string) {
  // RESP2, as the bridge uses: replies look like what @upstash/redis sees (a Lua false is nil).
  const client = createClient({
    url: redisUrl,
    RESP: 2,
    disableClientInfo: true,
    socket: { reconnectStrategy: false },
  });
  client.on("error", () => {
    // A failed command rejects on its own; without a listener the event would crash the worker.
  });
  await client.connect();
  return client;
}

export type TestRedisClient = Awaited<ReturnType<typeof connectRedis>>;

/** Deletes every key that starts with `prefix` (SCAN + UNLINK); returns how many went. */
export async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const client = await connectRedis(redisUrl);
  const pattern = prefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`) + "*";
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      // Keys as Buffers, so a key that is not valid UTF-8 is still deleted by its exact bytes.
      const [next, keys] = await client.sendCommand<[Buffer, Buffer[]]>(
        ["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"],
        {
          typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer },
        },
      );
      cursor = next.toString("utf8");
      if (keys.length > 0) deleted += await client.sendCommand<number>(["UNLINK", ...keys]);
    } while (cursor !== "0");
  } finally {
    await client.close();
  }
  return deleted;
}

async function useSharedRedis(url: string): Promise<TestRedis> {
  const parsed = new URL(url);
  const host = parsed.hostname || "127.0.0.1";
  const port = Number(parsed.port || 6379);
  const reply = await probe(host, port);
  // NOAUTH still proves a server is there; the clients authenticate from the URL themselves.
  if (!reply.startsWith("+PONG") && !reply.startsWith("-NOAUTH")) {
    throw new Error(`startRedis: REDIS_URL server at ${host}:${port} answered PING with ${JSON.stringify(reply)}`);
  }
  return { url, host, port, stop: async () => {} };
}

function findRedisServer(): string {
  const candidates = (process.env.PATH ?? "")
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, "redis-server"));
  candidates.push(FALLBACK_BINARY);
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here, try the next one
    }
  }
  throw new Error(
    "startRedis: no redis-server found on PATH or at /usr/bin/redis-server. " +
      "Install Redis (e.g. `apt-get install redis-server`) or set REDIS_URL to a running server.",
  );
}

async function spawnRedis(binary: string, port: number): Promise<TestRedis> {
  const host = "127.0.0.1";
  const child = spawn(binary, ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", host], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-4_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  let spawnError: Error | undefined;
  child.once("error", (error) => {
    spawnError = error;
  });
  // A crashed test worker must not leave a server behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (spawnError || exited) {
      process.removeListener("exit", killOnExit);
      throw new Error(
        `startRedis: redis-server on port ${port} did not start` +
          (spawnError ? `: ${spawnError.message}` : `; its output:\n${output}`),
      );
    }
    const reply = await probe(host, port).catch(() => "");
    if (reply.startsWith("+PONG")) break;
    if (Date.now() > deadline) {
      process.removeListener("exit", killOnExit);
      await terminate(child);
      throw new Error(`startRedis: redis-server on port ${port} did not answer PING in time; its output:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
  }

  let stopped: Promise<void> | undefined;
  return {
    url: `redis://${host}:${port}`,
    host,
    port,
    stop: () => {
      stopped ??= terminate(child).finally(() => process.removeListener("exit", killOnExit));
      return stopped;
    },
  };
}

/** Sends an inline PING and resolves with the first reply line (or rejects if nothing answers). */
function probe(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let received = "";
    const finish = (error: Error | null) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(received);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => finish(new Error("PING timed out")));
    socket.once("error", finish);
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      if (received.includes("\r\n")) finish(null);
    });
  });
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process has exited. */
export function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
