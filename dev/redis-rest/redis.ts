// The bridge's one connection to Redis, through node-redis (`redis`). Raw commands go through
// `sendCommand`; node-redis pipelines what is sent in the same tick and keeps replies in order.
// Replies are RESP2 (node-redis defaults to RESP3, where a Lua `false` becomes a boolean and
// hashes become maps; Upstash speaks RESP2 semantics), with bulk strings as Buffers so binary
// values survive.
import { createClient, ErrorReply, RESP_TYPES } from "redis";

export { ErrorReply };

/** A decoded reply: simple string → string, bulk string → Buffer, nil → null, error → ErrorReply. */
export type RedisReply = string | Buffer | number | null | ErrorReply | RedisReply[];

const CONNECT_TIMEOUT_MS = 5_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

function makeClient(url: string, reconnect: (retries: number, cause: Error) => number | Error) {
  return createClient({
    url,
    RESP: 2,
    name: "upstash-rest-bridge",
    disableClientInfo: true,
    // While Redis is away, fail at once (the HTTP caller gets a 503) instead of queuing commands.
    disableOfflineQueue: true,
    socket: { connectTimeout: CONNECT_TIMEOUT_MS, reconnectStrategy: reconnect },
  }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}

export interface BridgeRedis {
  /**
   * Sends one command. Resolves with its reply; a Redis error reply resolves as an ErrorReply
   * value. Rejects only when Redis cannot be reached.
   */
  send(args: readonly string[]): Promise<RedisReply>;
  /**
   * MULTI, the commands and EXEC, written back to back on the connection so nothing else is
   * queued in between. Resolves with EXEC's replies (errors as values) or, when Redis discards
   * the transaction (EXECABORT), with that error.
   */
  transaction(commands: readonly (readonly string[])[]): Promise<RedisReply[] | ErrorReply>;
  close(): Promise<void>;
}

/** Connects to Redis; rejects if the first connection fails. Later losses reconnect with backoff. */
export async function connectRedis(url: string, onError: (error: Error) => void = () => {}): Promise<BridgeRedis> {
  let connectedOnce = false;
  const client = makeClient(url, (retries, cause) =>
    connectedOnce ? Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) : cause,
  );
  // Without a listener an 'error' event would crash the process; requests see the failure anyway.
  client.on("error", (error: Error) => onError(error));
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`Cannot connect to Redis at ${redactRedisUrl(url)}: ${message}`, { cause: error });
  }
  connectedOnce = true;

  let closed = false;
  return {
    async send(args) {
      try {
        return await client.sendCommand<RedisReply>(args);
      } catch (error) {
        if (error instanceof ErrorReply) return error;
        throw error;
      }
    },
    async transaction(commands) {
      // One chain, queued in one tick: node-redis writes MULTI … EXEC back to back, as its own
      // multi() does, but this way each queued reply is seen, to say which command broke it.
      const chainId = Symbol("transaction");
      const settle = (args: readonly string[]) =>
        client.sendCommand<RedisReply>(args, { chainId }).catch((error: unknown) => {
          if (error instanceof ErrorReply) return error;
          throw error;
        });
      const replies = await Promise.all([["MULTI"], ...commands, ["EXEC"]].map(settle));
      const exec = replies[replies.length - 1] ?? null;
      if (Array.isArray(exec)) return exec;
      const queued = replies.slice(1, -1);
      const position = queued.findIndex((reply) => reply instanceof ErrorReply);
      const cause = queued[position] as ErrorReply | undefined;
      const message = exec instanceof ErrorReply ? exec.message : "EXECABORT Transaction discarded";
      return new ErrorReply(cause ? `${message} (command ${position + 1}: ${cause.message})` : message);
    },
    async close() {
      if (closed) return;
      closed = true;
      // A client that is reconnecting has nothing to flush; closing it gracefully could wait.
      if (!client.isReady) {
        client.destroy();
        return;
      }
      await client.close().catch(() => client.destroy());
    },
  };
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<unparseable URL>";
  }
}
