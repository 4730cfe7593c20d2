// An Upstash-REST-compatible HTTP server in front of a real Redis, for development and tests
// (SRH, Upstash's own, needs Docker). It speaks what @upstash/redis 1.39 sends for this app:
// `POST /` with one command, `POST /pipeline`, `POST /multi-exec`, a Bearer token and
// `Upstash-Encoding: base64`. Redis is reached through node-redis (./redis.ts); this file only
// translates. It counts requests and commands, and can inject faults, so tests can assert on both.
//
// It is a dev tool that must not let a web page (or anything else on the network) drive a
// developer's Redis, so it refuses, before anything else:
// - a request whose Host is not loopback (127.0.0.1, localhost, [::1]): DNS rebinding → 403;
// - a request with an Origin header (browsers send one; @upstash/redis on a server does not) → 403;
// - a request without `Authorization: Bearer <token>`, or with the token in the URL → 401;
//   the token is random unless given, and compared in constant time;
// - a body over `maxBodyBytes` (1 MiB) → 413; anything but POST to /, /pipeline, /multi-exec;
// - a command outside the allow-list in ./command.ts → 400.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { isAllowed, NOT_ALLOWED_ERROR, parseCommand, type BridgeCommand } from "./command";
import { toUpstashEntry, type UpstashEntry } from "./encoding";
import {
  ERROR_REPLY,
  FaultState,
  RATE_LIMITED_ERROR,
  SERVER_ERROR,
  type BridgeFault,
  type BridgeFaultOptions,
} from "./faults";
import { connectRedis } from "./redis";
import { createScriptFlagTranslator } from "./script-flags";
import { simulatedDistance } from "./latency";

export type { BridgeFault, BridgeFaultOptions } from "./faults";

export interface RedisRestBridgeOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…`. */
  redisUrl: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** The address to listen on; defaults to 127.0.0.1. Requests must name a loopback Host whatever it is. */
  host?: string;
  /** The Bearer token every request needs. Default: 32 random bytes, hex (read it back from `token`). */
  token?: string;
  /** Larger request bodies get 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Told about Redis connection errors (lost connection, failed reconnects). Default: ignored. */
  onRedisError?: (error: Error) => void;
  /**
   * A simulated distance to the store: every authorized request is answered this many ms later, half
   * before Redis runs it and half after, like a real round trip. Default 0.
   */
  latencyMs?: number;
}

export interface RedisRestBridgeStats {
  /** HTTP requests received, authorized or not (connections refused by the 'refuse' fault never arrive). */
  requests: number;
  /** Commands sent to Redis on behalf of callers (MULTI/EXEC wrappers not included). */
  commands: number;
  /** The same, per uppercased command name. */
  byCommand: Record<string, number>;
}

export interface RedisRestBridge {
  url: string;
  port: number;
  /** The token callers must send (the one given, or the random default). */
  token: string;
  stats(): RedisRestBridgeStats;
  resetStats(): void;
  /**
   * Makes the bridge fail like the real service can (see BridgeFault); 'none' restores normal
   * service. `requests` limits the fault to that many requests, `failAfter` delays it by that many.
   * Resolves once in effect: for 'refuse' when the port is closed, when leaving it once the same
   * port listens again.
   */
  setFault(fault: BridgeFault, options?: BridgeFaultOptions): Promise<void>;
  close(): Promise<void>;
}

type HttpAnswer = { status: number; body: unknown; html?: boolean };

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const UNAUTHORIZED: HttpAnswer = { status: 401, body: { error: "Unauthorized" } };
const TOKEN_IN_URL: HttpAnswer = {
  status: 401,
  body: { error: "Unauthorized: the dev bridge takes the token only from an Authorization: Bearer header" },
};
// Upstash answers a failed single command with 400; pipelines report errors per entry with 200.
const COMMAND_ERROR_STATUS = 400;
const REDIS_UNAVAILABLE_STATUS = 503;
// Longer than undici's idle keep-alive, so the server never closes a socket the client is reusing.
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

/** Starts the bridge; rejects if Redis cannot be reached or the port cannot be bound. */
export async function startRedisRestBridge(options: RedisRestBridgeOptions): Promise<RedisRestBridge> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? randomToken();
  if (token === "") throw new Error("Redis REST bridge: the token must not be empty");
  const expectedToken = digest(token);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const redis = await connectRedis(options.redisUrl, options.onRedisError);

  let stats: RedisRestBridgeStats = emptyStats();
  const count = (command: BridgeCommand) => {
    stats.commands += 1;
    stats.byCommand[command.name] = (stats.byCommand[command.name] ?? 0) + 1;
  };
  const faults = new FaultState();
  // @upstash/ratelimit's scripts carry an Upstash-only shebang flag that Redis refuses (script-flags.ts).
  const scripts = createScriptFlagTranslator();
  const distance = simulatedDistance(options.latencyMs ?? 0);

  async function runSingle(command: BridgeCommand, base64: boolean): Promise<HttpAnswer> {
    count(command);
    const entry = toUpstashEntry(await redis.send(command.args), base64);
    return { status: "error" in entry ? COMMAND_ERROR_STATUS : 200, body: entry };
  }

  async function runPipeline(commands: BridgeCommand[], base64: boolean): Promise<HttpAnswer> {
    commands.forEach(count);
    // Sent in one tick, so node-redis writes them together; replies come back in order.
    const replies = await Promise.all(commands.map((command) => redis.send(command.args)));
    return { status: 200, body: replies.map((reply) => toUpstashEntry(reply, base64)) };
  }

  async function runTransaction(commands: BridgeCommand[], base64: boolean): Promise<HttpAnswer> {
    commands.forEach(count);
    const replies = await redis.transaction(commands.map((command) => command.args));
    if (Array.isArray(replies)) return { status: 200, body: replies.map((reply) => toUpstashEntry(reply, base64)) };
    // EXECABORT: Redis refused to queue a command (bad arity, say); nothing ran.
    return { status: COMMAND_ERROR_STATUS, body: { error: replies.message } };
  }

  /** The answer to an authorized request with a body that fits. */
  async function answer(
    path: string,
    text: string,
    base64: boolean,
    errorReply: BridgeFaultOptions | undefined,
  ): Promise<HttpAnswer> {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { status: 400, body: { error: "ERR the request body is not valid JSON" } };
    }
    const single = path === "";
    if (!single && (!Array.isArray(body) || body.length === 0)) {
      return { status: 400, body: { error: "ERR the body must be a non-empty JSON array of commands" } };
    }
    const commands: BridgeCommand[] = [];
    for (const raw of single ? [body] : (body as unknown[])) {
      const parsed = parseCommand(raw);
      if (!parsed.ok) return { status: COMMAND_ERROR_STATUS, body: { error: parsed.error } };
      if (!isAllowed(parsed.command)) return { status: COMMAND_ERROR_STATUS, body: { error: NOT_ALLOWED_ERROR } };
      commands.push(scripts.translate(parsed.command));
    }
    if (errorReply) {
      const entry: UpstashEntry = { error: errorReply.message ?? ERROR_REPLY };
      return { status: 200, body: single ? entry : commands.map(() => entry) };
    }
    if (single) return runSingle(commands[0] as BridgeCommand, base64);
    if (path === "/pipeline") return runPipeline(commands, base64);
    return runTransaction(commands, base64);
  }

  function authorized(request: IncomingMessage): boolean {
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? "");
    return match?.[1] != null && timingSafeEqual(digest(match[1]), expectedToken);
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    stats.requests += 1;
    // A request on a keep-alive connection that survived going dark: refuse it the same way.
    if (faults.refusing) {
      request.socket.destroy();
      return;
    }
    if (!LOOPBACK_HOST.test(request.headers.host ?? "")) {
      return reply(request, response, {
        status: 403,
        body: { error: "Forbidden: the dev bridge answers only a loopback Host" },
      });
    }
    if (request.headers.origin !== undefined) {
      return reply(request, response, {
        status: 403,
        body: { error: "Forbidden: the dev bridge refuses requests from browsers (Origin header)" },
      });
    }

    const decision = faults.next();
    if (decision.kind === "serve-then-refuse") {
      // This request still gets its answer, on a connection closed right after; no new ones.
      response.shouldKeepAlive = false;
      void goDark(request.socket);
    }
    let errorReply: BridgeFaultOptions | undefined;
    if (decision.kind === "fail") {
      const { fault, options: faultOptions } = decision;
      if (fault === "hang") {
        // Never answer: the client's timeout or abort ends it (close() ends it too).
        request.resume();
        return;
      }
      // Read the body first, as the real service would, so the connection stays reusable.
      if (fault !== "error-reply" && (await readBody(request, maxBodyBytes).catch(() => undefined)) === undefined)
        return;
      if (fault === "unauthorized") return reply(request, response, UNAUTHORIZED);
      if (fault === "rate-limited")
        return reply(request, response, { status: 429, body: { error: RATE_LIMITED_ERROR } });
      if (fault === "server-error") {
        const status = faultOptions.status ?? 500;
        if (status === 500) return reply(request, response, { status, body: { error: SERVER_ERROR } });
        return reply(request, response, { status, html: true, body: gatewayPage(status) });
      }
      errorReply = faultOptions;
    }

    const requestUrl = new URL(request.url ?? "/", "http://bridge");
    if (requestUrl.searchParams.has("_token")) return reply(request, response, TOKEN_IN_URL);
    if (!authorized(request)) return reply(request, response, UNAUTHORIZED);
    const path = requestUrl.pathname.replace(/\/+$/, "");
    if (path !== "" && path !== "/pipeline" && path !== "/multi-exec") {
      return reply(request, response, {
        status: 404,
        body: { error: "ERR the dev bridge serves POST /, /pipeline and /multi-exec only" },
      });
    }
    if (request.method !== "POST") return reply(request, response, { status: 405, body: { error: "ERR use POST" } });

    const text = await readBody(request, maxBodyBytes).catch(() => undefined);
    if (text === undefined) return; // the client went away mid-body
    if (text === TOO_LARGE) {
      return reply(request, response, {
        status: 413,
        body: { error: `ERR the request body is over ${maxBodyBytes} bytes` },
      });
    }
    const base64 = String(request.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    let result: HttpAnswer;
    await distance.there();
    try {
      result = await answer(path, text, base64, errorReply);
    } catch (error) {
      // Only a lost or unreachable Redis gets here; command errors are values.
      const message = error instanceof Error ? error.message : String(error);
      result = { status: REDIS_UNAVAILABLE_STATUS, body: { error: `ERR Redis unavailable: ${message}` } };
    }
    await distance.back();
    reply(request, response, result);
  }

  const server = createServer((request, response) => {
    void handle(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });

  let port = options.port ?? 0;
  function listen(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.removeListener("error", reject);
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  // 'refuse': the listening socket is closed and every open connection dropped (except one still
  // to be answered), so the client's next request finds nobody on the port.
  let dark: Promise<void> | undefined;
  function goDark(keep?: Socket): Promise<void> {
    dark ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) if (socket !== keep) socket.destroy();
    });
    return dark;
  }
  async function relisten(): Promise<void> {
    if (!dark) return;
    await dark;
    try {
      await listen();
      dark = undefined;
    } catch (error) {
      // Someone took the port meanwhile: still dark; a later setFault tries again.
      throw new Error(`setFault: cannot listen on port ${port} again: ${(error as Error).message}`, { cause: error });
    }
  }

  try {
    await listen();
  } catch (error) {
    await redis.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost(host)}:${port}`,
    port,
    token,
    stats: () => ({ ...stats, byCommand: { ...stats.byCommand } }),
    resetStats: () => {
      stats = emptyStats();
    },
    setFault: async (fault, faultOptions) => {
      if (closing) throw new Error("setFault: the bridge is closed");
      faults.set(fault, faultOptions);
      if (faults.refusing) await goDark();
      else await relisten();
    },
    close: () => {
      closing ??= (async () => {
        faults.set("none");
        if (dark) await dark;
        else {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          });
        }
        await redis.close();
      })();
      return closing;
    },
  };
}

function reply(request: IncomingMessage, response: ServerResponse, answer: HttpAnswer): void {
  const payload = answer.html ? String(answer.body) : JSON.stringify(answer.body);
  // An answer given before the body was read: drop the connection rather than read the rest.
  if (!request.complete) {
    response.shouldKeepAlive = false;
    request.resume();
  }
  response.writeHead(answer.status, {
    "content-type": answer.html ? "text/html" : "application/json",
    "content-length": Buffer.byteLength(payload),
  });
  response.end(payload);
}

const TOO_LARGE = Symbol("too large");

/** The body as text, TOO_LARGE past `limit` bytes (without reading the rest). */
function readBody(request: IncomingMessage, limit: number): Promise<string | typeof TOO_LARGE> {
  const declared = Number(request.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(TOO_LARGE);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeListener("data", onData);
        resolve(TOO_LARGE);
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
    request.on("close", () => reject(new Error("the client closed the request")));
  });
}

function gatewayPage(status: number): string {
  const title = status === 502 ? "Bad Gateway" : status === 503 ? "Service Unavailable" : "Gateway Timeout";
  return `<html><head><title>${status} ${title}</title></head><body><h1>${status} ${title}</h1></body></html>\n`;
}

function emptyStats(): RedisRestBridgeStats {
  return { requests: 0, commands: 0, byCommand: {} };
}

function randomToken(): string {
  return randomBytes(32).toString("hex");
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

/** The host as it goes into a URL: wildcards become loopback, IPv6 gets brackets. */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}
