// An Upstash-REST-compatible HTTP server in front of a real Redis, for development and tests
// (SRH, Upstash's own, needs Docker). It speaks what @upstash/redis 1.39 sends: `POST /` with one
// command, `POST /pipeline`, `POST /multi-exec`, the `/cmd/arg/…` path form, Bearer tokens and
// `Upstash-Encoding: base64`. It counts requests and commands so tests can assert on them.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseCommand, refusedError, routeCommand, type BridgeCommand } from './command';
import { RedisConnections } from './connections';
import { toUpstashEntry, type UpstashEntry } from './encoding';
import { RespError, redactRedisUrl, type RespReply } from './resp';

export interface RedisRestBridgeOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  redisUrl: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** When set, every request needs `Authorization: Bearer <token>` (or `?_token=`). */
  token?: string;
}

export interface RedisRestBridgeStats {
  /** HTTP requests received, authorized or not. */
  requests: number;
  /** Commands sent to Redis on behalf of callers (MULTI/EXEC wrappers not included). */
  commands: number;
  /** The same, per uppercased command name. */
  byCommand: Record<string, number>;
}

export interface RedisRestBridge {
  url: string;
  port: number;
  stats(): RedisRestBridgeStats;
  resetStats(): void;
  close(): Promise<void>;
}

type HttpAnswer = { status: number; body: unknown };

const UNAUTHORIZED: HttpAnswer = { status: 401, body: { error: 'Unauthorized' } };
// Upstash answers a failed single command with 400; pipelines report errors per entry with 200.
const COMMAND_ERROR_STATUS = 400;
const REDIS_UNAVAILABLE_STATUS = 503;
// Longer than undici's idle keep-alive, so the server never closes a socket the client is reusing.
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

/** Starts the bridge; rejects if Redis cannot be reached or the port cannot be bound. */
export async function startRedisRestBridge(options: RedisRestBridgeOptions): Promise<RedisRestBridge> {
  const host = options.host ?? '127.0.0.1';
  const connections = new RedisConnections(options.redisUrl);
  const expectedToken = options.token ? digest(options.token) : undefined;

  const ping = await connections.shared.send(['PING']).catch((error: Error) => new RespError(error.message));
  if (ping instanceof RespError) {
    await connections.close();
    throw new Error(`Redis REST bridge: Redis at ${redactRedisUrl(options.redisUrl)} does not answer PING: ${ping.message}`);
  }

  let stats: RedisRestBridgeStats = emptyStats();
  const count = (command: BridgeCommand) => {
    stats.commands += 1;
    stats.byCommand[command.name] = (stats.byCommand[command.name] ?? 0) + 1;
  };

  async function runOne(command: BridgeCommand): Promise<RespReply> {
    const route = routeCommand(command);
    if (route === 'refused') return new RespError(refusedError(command));
    count(command);
    if (route === 'dedicated') return connections.withDedicated((client) => client.send(command.args));
    return connections.shared.send(command.args);
  }

  async function runPipeline(body: unknown[], base64: boolean): Promise<UpstashEntry[]> {
    const entries: UpstashEntry[] = new Array(body.length);
    let batch: { index: number; command: BridgeCommand }[] = [];
    // Consecutive shared commands go out in one write; a blocking one waits for what came before
    // it, so the pipeline still runs in the order it was given.
    const flush = async () => {
      if (batch.length === 0) return;
      const sent = batch;
      batch = [];
      const replies = await connections.shared.sendBatch(sent.map(({ command }) => command.args));
      replies.forEach((reply, i) => {
        entries[(sent[i] as { index: number }).index] = toUpstashEntry(reply, base64);
      });
    };
    for (const [index, raw] of body.entries()) {
      const parsed = parseCommand(raw);
      if (!parsed.ok) {
        entries[index] = { error: parsed.error };
        continue;
      }
      const route = routeCommand(parsed.command);
      if (route === 'shared') {
        count(parsed.command);
        batch.push({ index, command: parsed.command });
      } else {
        await flush();
        entries[index] = toUpstashEntry(await runOne(parsed.command), base64);
      }
    }
    await flush();
    return entries;
  }

  async function runTransaction(body: unknown[], base64: boolean): Promise<HttpAnswer> {
    const commands: BridgeCommand[] = [];
    for (const raw of body) {
      const parsed = parseCommand(raw);
      if (!parsed.ok) return { status: COMMAND_ERROR_STATUS, body: { error: parsed.error } };
      if (routeCommand(parsed.command) === 'refused') {
        return { status: COMMAND_ERROR_STATUS, body: { error: refusedError(parsed.command) } };
      }
      commands.push(parsed.command);
    }
    commands.forEach(count);
    // MULTI, the commands and EXEC in one write on a connection nobody else uses: atomic, and
    // nothing from another caller can be queued into the transaction.
    const replies = await connections.withDedicated((client) =>
      client.sendBatch([['MULTI'], ...commands.map((command) => command.args), ['EXEC']]),
    );
    const queued = replies.slice(1, -1);
    const exec = replies[replies.length - 1] ?? null;
    if (Array.isArray(exec)) return { status: 200, body: exec.map((reply) => toUpstashEntry(reply, base64)) };
    // EXECABORT: a command was refused while queuing (bad arity, unknown command); say which.
    const position = queued.findIndex((reply) => reply instanceof RespError);
    const cause = queued[position] as RespError | undefined;
    const message = exec instanceof RespError ? exec.message : 'EXECABORT Transaction discarded';
    const detail = cause ? ` (command ${position + 1}: ${cause.message})` : '';
    return { status: COMMAND_ERROR_STATUS, body: { error: message + detail } };
  }

  async function answer(request: IncomingMessage, requestUrl: URL, base64: boolean): Promise<HttpAnswer> {
    const path = requestUrl.pathname.replace(/\/+$/, '');
    const text = await readBody(request);

    if (path === '' || path === '/pipeline' || path === '/multi-exec') {
      if (request.method !== 'POST') return { status: 405, body: { error: 'ERR use POST' } };
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        return { status: 400, body: { error: 'ERR the request body is not valid JSON' } };
      }
      if (path === '') return answerSingle(parseCommand(body), base64);
      if (!Array.isArray(body) || body.length === 0) {
        return { status: 400, body: { error: 'ERR the body must be a non-empty JSON array of commands' } };
      }
      if (path === '/pipeline') return { status: 200, body: await runPipeline(body, base64) };
      return runTransaction(body, base64);
    }

    // Path form: /set/key/value, with a POST body as the last argument (Upstash's REST API).
    if (request.method !== 'GET' && request.method !== 'POST') return { status: 405, body: { error: 'ERR use GET or POST' } };
    let args: string[];
    try {
      args = path.slice(1).split('/').map(decodeURIComponent);
    } catch {
      return { status: 400, body: { error: 'ERR the path is not valid percent-encoding' } };
    }
    if (request.method === 'POST' && text !== '') args.push(text);
    return answerSingle(parseCommand(args), base64);
  }

  async function answerSingle(parsed: ReturnType<typeof parseCommand>, base64: boolean): Promise<HttpAnswer> {
    if (!parsed.ok) return { status: COMMAND_ERROR_STATUS, body: { error: parsed.error } };
    const entry = toUpstashEntry(await runOne(parsed.command), base64);
    return { status: 'error' in entry ? COMMAND_ERROR_STATUS : 200, body: entry };
  }

  function authorized(request: IncomingMessage, requestUrl: URL): boolean {
    if (!expectedToken) return true;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = match?.[1] ?? requestUrl.searchParams.get('_token');
    return given != null && timingSafeEqual(digest(given), expectedToken);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.requests += 1;
    const requestUrl = new URL(request.url ?? '/', 'http://bridge');
    let result: HttpAnswer;
    if (!authorized(request, requestUrl)) {
      request.resume();
      result = UNAUTHORIZED;
    } else {
      const base64 = String(request.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64';
      try {
        result = await answer(request, requestUrl, base64);
      } catch (error) {
        // Only a lost or unreachable Redis gets here; command errors are values.
        const message = error instanceof Error ? error.message : String(error);
        result = { status: REDIS_UNAVAILABLE_STATUS, body: { error: `ERR Redis unavailable: ${message}` } };
      }
    }
    const payload = JSON.stringify(result.body);
    response.writeHead(result.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    response.end(payload);
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await connections.close();
    throw error;
  }

  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    stats: () => ({ ...stats, byCommand: { ...stats.byCommand } }),
    resetStats: () => {
      stats = emptyStats();
    },
    close: () => {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await connections.close();
      })();
      return closing;
    },
  };
}

function emptyStats(): RedisRestBridgeStats {
  return { requests: 0, commands: 0, byCommand: {} };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** The host as it goes into a URL: wildcards become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
