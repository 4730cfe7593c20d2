/**
 * One node-redis connection per process, for a standalone server (`REDIS_URL`) or a cluster
 * (`REDIS_CLUSTER_NODES`), shaped the way a lock needs it:
 * - lazy: nothing connects until the first command;
 * - one per process: Next loads the proxy and the route handlers as separate bundles, each with its own
 *   session runtime, so the connection is kept process-wide (on globalThis), keyed by its settings;
 * - bounded: reconnects back off up to RECONNECT_MAX_DELAY_MS; while disconnected a command fails at once
 *   (no offline queue to pile up in), and every command has a deadline, so a lock wait never stalls;
 * - closed on SIGTERM, then the process's own SIGTERM handling goes on.
 * MOVED and ASK are followed by the cluster client itself, within its redirection limit.
 */
import { createHash } from "node:crypto";
import { createClient, createCluster } from "redis";
import type { TcpRedisSettings } from "../settings";

/** One lock-store command should answer in far less; past this it counts as timed out (it may have run). */
export const REDIS_COMMAND_TIMEOUT_MS = 1_500;
/** A connection not up within this fails the command as unreachable (nothing was sent). */
export const REDIS_CONNECT_TIMEOUT_MS = 1_500;
/** Reconnect back-off: 50 ms, doubling, never more than this between attempts. */
export const RECONNECT_MAX_DELAY_MS = 2_000;
const RECONNECT_FIRST_DELAY_MS = 50;
/** Commands queued on a live connection at most; past this they fail rather than wait. */
const COMMAND_QUEUE_MAX = 1_000;

export type RedisSettings = TcpRedisSettings;

/** What the store needs from a connection: one command whose first key routes it, and closing. */
export interface RedisConnection {
  /** Runs a script by its text (EVALSHA, EVAL when the server lacks it); keys share one slot. */
  evaluate(script: string, keys: string[], args: string[]): Promise<unknown>;
  ping(): Promise<unknown>;
  close(): Promise<void>;
}

interface Client {
  send(firstKey: string | undefined, args: string[]): Promise<unknown>;
  close(): Promise<void>;
}

const CONNECTIONS = Symbol.for("edge-session-refresh.redis-connections");
type Registry = Map<string, RedisConnection>;

/** The process's connection for these settings, created (not yet connected) on first use. */
export function redisConnectionFor(settings: RedisSettings): RedisConnection {
  const registry = ((globalThis as { [CONNECTIONS]?: Registry })[CONNECTIONS] ??= new Map());
  const key = JSON.stringify(settings);
  let connection = registry.get(key);
  if (connection === undefined) {
    connection = createRedisConnection(settings, () => registry.delete(key));
    registry.set(key, connection);
  }
  return connection;
}

/** A connection of its own (tests, several stores in one process); `redisConnectionFor` shares one. */
export function createRedisConnection(settings: RedisSettings, onClose: () => void = () => {}): RedisConnection {
  let client: Client | undefined;
  let building: Client | undefined;
  let connecting: Promise<Client> | undefined;
  let closed = false;
  /** What the client last reported while (re)connecting: why a connection is not up (refused, WRONGPASS). */
  let lastError: unknown;
  const shas = new Map<string, string>();

  function connect(): Promise<Client> {
    if (closed) return Promise.reject(named("ClientClosedError", "the Redis connection was closed (SIGTERM)"));
    if (connecting === undefined) {
      const opening = buildClient(settings, (error) => (lastError = error));
      building = opening;
      connecting = opening.connect().then(
        () => (client = opening),
        (error: unknown) => {
          // A cluster whose seeds all failed gives up: the next command builds a new one.
          connecting = building = undefined;
          void opening.close().catch(() => {});
          throw error;
        },
      );
    }
    return connecting;
  }

  async function send(firstKey: string | undefined, args: string[]): Promise<unknown> {
    let ready = client;
    if (ready === undefined) {
      lastError = undefined;
      // Not up in time: the client keeps retrying with back-off, and this command fails with the reason.
      ready = await withDeadline(
        connect(),
        REDIS_CONNECT_TIMEOUT_MS,
        () =>
          lastError ??
          named("ConnectionTimeoutError", `connecting to Redis took longer than ${REDIS_CONNECT_TIMEOUT_MS} ms`),
      );
    }
    return withDeadline(ready.send(firstKey, args), REDIS_COMMAND_TIMEOUT_MS, () =>
      named("TimeoutError", `Redis ${args[0]} took longer than ${REDIS_COMMAND_TIMEOUT_MS} ms`),
    );
  }

  const onSigterm = () => {
    void connection.close().finally(() => {
      // Our listener replaced Node's default (exit); when nobody else handles SIGTERM, exit as it would.
      if (process.listenerCount("SIGTERM") === 0) process.kill(process.pid, "SIGTERM");
    });
  };
  process.once("SIGTERM", onSigterm);

  const connection: RedisConnection = {
    async evaluate(script, keys, args) {
      let sha = shas.get(script);
      if (sha === undefined) {
        sha = createHash("sha1").update(script).digest("hex");
        shas.set(script, sha);
      }
      try {
        return await send(keys[0], ["EVALSHA", sha, String(keys.length), ...keys, ...args]);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
        return send(keys[0], ["EVAL", script, String(keys.length), ...keys, ...args]);
      }
    },
    ping: () => send(undefined, ["PING"]),
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener("SIGTERM", onSigterm);
      onClose();
      connecting?.catch(() => {});
      await (client ?? building)?.close().catch(() => {});
    },
  };
  return connection;
}

/** An error whose `name` says what it is (set as a string, so it survives minification). */
function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

function withDeadline<T>(work: Promise<T>, ms: number, failure: () => unknown): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(failure()), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function reconnectDelay(retries: number): number {
  return Math.min(RECONNECT_FIRST_DELAY_MS * 2 ** Math.min(retries, 10), RECONNECT_MAX_DELAY_MS);
}

/** Builds the node-redis client (not yet connected); `close` gives up a connection still being made. */
function buildClient(
  settings: RedisSettings,
  onError: (error: unknown) => void,
): Client & { connect(): Promise<void> } {
  const socket = { connectTimeout: REDIS_CONNECT_TIMEOUT_MS, reconnectStrategy: reconnectDelay };
  if (settings.kind === "redis") {
    const client = createClient({
      url: settings.url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: COMMAND_QUEUE_MAX,
      disableClientInfo: true,
      socket,
    });
    // Failures reach the command that meets them; without a listener an 'error' event would end the process.
    client.on("error", onError);
    return {
      connect: async () => void (await client.connect()),
      send: (_firstKey, args) => client.sendCommand(args),
      close: async () => (client.isReady ? client.close() : client.destroy()),
    };
  }
  const cluster = createCluster({
    rootNodes: settings.nodes.map((node) => ({ url: `${settings.tls ? "rediss" : "redis"}://${node}` })),
    defaults: {
      username: settings.username,
      password: settings.password,
      disableOfflineQueue: true,
      commandsQueueMaxLength: COMMAND_QUEUE_MAX,
      disableClientInfo: true,
      socket: settings.tls ? { ...socket, tls: true } : socket,
    },
  });
  cluster.on("error", onError);
  let connected = false;
  return {
    connect: async () => {
      await cluster.connect();
      connected = true;
    },
    send: (firstKey, args) => cluster.sendCommand(firstKey, false, args),
    close: async () => (connected ? cluster.close() : cluster.destroy()),
  };
}
