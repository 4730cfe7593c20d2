// A minimal RESP2 client over node:net (or node:tls for rediss://): the REST bridge's way to
// talk to Redis, and the tests' way to look at Redis directly. One socket, pipelined: commands
// are written as they come and replies are matched to them in order. Error replies are values
// (RespError), never exceptions; only a lost or unreachable connection rejects.
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** A Redis error reply such as `ERR value is not an integer` or `NOSCRIPT No matching script`. */
export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }

  /** The error's first word (`ERR`, `NOSCRIPT`, `WRONGTYPE`, …). */
  get code(): string {
    return this.message.split(' ', 1)[0] ?? '';
  }
}

/** A decoded reply: simple string → string, bulk string → Buffer (binary-safe), nil → null. */
export type RespReply = string | Buffer | number | null | RespError | RespReply[];

/** A command argument; numbers go out as their decimal text. */
export type RespArgument = string | number | Buffer;

const CRLF = Buffer.from('\r\n');

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly RespArgument[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const arg of args) {
    const bytes = Buffer.isBuffer(arg) ? arg : Buffer.from(String(arg), 'utf8');
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  return Buffer.concat(parts);
}

/** Turns every Buffer in a reply into UTF-8 text, for tests and logs. */
export function replyToText(reply: RespReply): string | number | null | RespError | unknown[] {
  if (Buffer.isBuffer(reply)) return reply.toString('utf8');
  if (Array.isArray(reply)) return reply.map(replyToText);
  return reply;
}

const INCOMPLETE = Symbol('incomplete');
type Parsed = { value: RespReply; next: number } | typeof INCOMPLETE;

/**
 * Incremental RESP2 reply parser: feed it socket chunks of any size (one byte at a time works),
 * it returns the replies completed so far. Throws on bytes that are not RESP2.
 */
export class RespParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): RespReply[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const replies: RespReply[] = [];
    let offset = 0;
    for (;;) {
      const parsed = this.parse(offset);
      if (parsed === INCOMPLETE) break;
      replies.push(parsed.value);
      offset = parsed.next;
    }
    // Keep only the unparsed tail, copied so that finished replies don't pin a large buffer.
    this.buffer = offset === 0 ? this.buffer : Buffer.from(this.buffer.subarray(offset));
    return replies;
  }

  reset(): void {
    this.buffer = Buffer.alloc(0);
  }

  private parse(offset: number): Parsed {
    const buffer = this.buffer;
    if (offset >= buffer.length) return INCOMPLETE;
    const lineEnd = buffer.indexOf(CRLF, offset + 1);
    if (lineEnd === -1) return INCOMPLETE;
    const type = buffer[offset];
    const line = buffer.toString('utf8', offset + 1, lineEnd);
    const afterLine = lineEnd + 2;
    switch (type) {
      case 0x2b: // '+'
        return { value: line, next: afterLine };
      case 0x2d: // '-'
        return { value: new RespError(line), next: afterLine };
      case 0x3a: // ':'
        return { value: Number(line), next: afterLine };
      case 0x24: { // '$'
        const length = parseLength(line);
        if (length < 0) return { value: null, next: afterLine };
        const end = afterLine + length;
        if (buffer.length < end + 2) return INCOMPLETE;
        return { value: Buffer.from(buffer.subarray(afterLine, end)), next: end + 2 };
      }
      case 0x2a: { // '*'
        const count = parseLength(line);
        if (count < 0) return { value: null, next: afterLine };
        const items: RespReply[] = [];
        let next = afterLine;
        for (let i = 0; i < count; i++) {
          const item = this.parse(next);
          if (item === INCOMPLETE) return INCOMPLETE;
          items.push(item.value);
          next = item.next;
        }
        return { value: items, next };
      }
      default:
        throw new Error(`RESP protocol error: unexpected type byte 0x${(type ?? 0).toString(16)}`);
    }
  }
}

function parseLength(text: string): number {
  const length = Number(text);
  if (!Number.isInteger(length)) throw new Error(`RESP protocol error: bad length ${JSON.stringify(text)}`);
  return length;
}

/** Connection settings taken from a `redis://[user:password@]host:port[/db]` URL. */
interface RedisEndpoint {
  host: string;
  port: number;
  tls: boolean;
  username?: string;
  password?: string;
  db?: number;
}

export function parseRedisUrl(url: string): RedisEndpoint {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`Not a redis:// or rediss:// URL: ${redactRedisUrl(url)}`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(parsed.port || 6379),
    tls: parsed.protocol === 'rediss:',
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: db ? Number(db) : undefined,
  };
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable URL>';
  }
}

const CONNECT_TIMEOUT_MS = 5_000;

interface Pending {
  resolve(reply: RespReply): void;
  reject(error: Error): void;
}

/**
 * One pipelined connection to Redis. It connects on first use and again after the socket
 * closes; commands in flight when it closes are rejected, since nobody can know whether Redis
 * ran them.
 */
export class RespClient {
  private readonly endpoint: RedisEndpoint;
  private socket: Socket | undefined;
  private connecting: Promise<Socket> | undefined;
  private readonly pending: Pending[] = [];
  private readonly parser = new RespParser();
  private closed = false;

  constructor(readonly url: string) {
    this.endpoint = parseRedisUrl(url);
  }

  /** Sends one command; resolves with its reply (a RespError value for an error reply). */
  async send(args: readonly RespArgument[]): Promise<RespReply> {
    const [reply] = await this.sendBatch([args]);
    return reply as RespReply;
  }

  /** Writes several commands in one go; replies come back in the same order. */
  async sendBatch(commands: readonly (readonly RespArgument[])[]): Promise<RespReply[]> {
    if (commands.length === 0) return [];
    const socket = await this.connection();
    return this.write(socket, commands);
  }

  /** Whether a socket is currently open (a later send reconnects if not). */
  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Closes the socket for good; later sends reject. */
  async close(): Promise<void> {
    this.closed = true;
    const socket = this.socket ?? (await this.connecting?.catch(() => undefined));
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      // A server that ignores the FIN should not hold close() hostage.
      setTimeout(() => socket.destroy(), 1_000).unref();
    });
  }

  private write(socket: Socket, commands: readonly (readonly RespArgument[])[]): Promise<RespReply[]> {
    // Callbacks are queued in the same tick as the write, so replies cannot be mismatched.
    const replies = commands.map(
      () => new Promise<RespReply>((resolve, reject) => this.pending.push({ resolve, reject })),
    );
    socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  private connection(): Promise<Socket> {
    if (this.closed) return Promise.reject(new Error('RespClient is closed'));
    if (this.socket) return Promise.resolve(this.socket);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Socket> {
    const { host, port, tls } = this.endpoint;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const onError = (error: Error) => {
        socket.destroy();
        reject(new Error(`Cannot connect to Redis at ${redactRedisUrl(this.url)}: ${error.message}`, { cause: error }));
      };
      const socket = tls
        ? connectTls({ host, port, servername: host }, () => ready())
        : connectTcp({ host, port }, () => ready());
      const ready = () => {
        socket.setTimeout(0);
        socket.removeListener('error', onError);
        resolve(socket);
      };
      socket.setTimeout(CONNECT_TIMEOUT_MS, () => onError(new Error('connect timed out')));
      socket.once('error', onError);
    });
    socket.setNoDelay(true);
    this.parser.reset();
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', () => {
      // 'close' follows and rejects what is pending.
    });
    socket.on('close', () => this.onClose(socket));

    const handshake: RespArgument[][] = [];
    const { username, password, db } = this.endpoint;
    if (password) handshake.push(username ? ['AUTH', username, password] : ['AUTH', password]);
    if (db !== undefined && db !== 0) handshake.push(['SELECT', db]);
    if (handshake.length > 0) {
      const replies = await this.write(socket, handshake);
      const failure = replies.find((reply) => reply instanceof RespError);
      if (failure) {
        socket.destroy();
        throw new Error(`Redis refused the connection setup: ${(failure as RespError).message}`);
      }
    }
    if (this.closed) {
      socket.destroy();
      throw new Error('RespClient is closed');
    }
    this.socket = socket;
    return socket;
  }

  private onData(socket: Socket, chunk: Buffer): void {
    let replies: RespReply[];
    try {
      replies = this.parser.push(chunk);
    } catch (error) {
      socket.destroy(error as Error);
      return;
    }
    for (const reply of replies) {
      const waiter = this.pending.shift();
      // A reply nobody asked for means the stream is out of step; trust nothing after it.
      if (!waiter) {
        socket.destroy(new Error('RESP protocol error: unsolicited reply'));
        return;
      }
      waiter.resolve(reply);
    }
  }

  private onClose(socket: Socket): void {
    if (this.socket === socket) this.socket = undefined;
    const lost = this.pending.splice(0);
    for (const waiter of lost) waiter.reject(new Error(`Connection to Redis at ${redactRedisUrl(this.url)} closed`));
  }
}
