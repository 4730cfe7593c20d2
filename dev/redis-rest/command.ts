// What the bridge accepts as a command and where it may run. Commands arrive as JSON arrays;
// the bridge multiplexes many HTTP callers over one pipelined Redis connection, so commands that
// change or hijack a connection's state are refused, and blocking ones get a connection of their own.

/** A command ready for Redis: `name` is the uppercased first word, for routing and stats. */
export interface BridgeCommand {
  name: string;
  args: string[];
}

export type ParsedCommand = { ok: true; command: BridgeCommand } | { ok: false; error: string };

/** Where a command runs: the shared pipelined connection, a dedicated one, or nowhere. */
export type CommandRoute = 'shared' | 'dedicated' | 'refused';

// Per-connection state (transactions, subscriptions, db, auth, reply mode) would leak between
// the callers that share a connection; Upstash's REST API has no use for them either.
const REFUSED = new Set([
  'MULTI', 'EXEC', 'DISCARD', 'WATCH', 'UNWATCH', 'SELECT', 'SWAPDB', 'AUTH', 'HELLO', 'RESET', 'QUIT',
  'SUBSCRIBE', 'PSUBSCRIBE', 'SSUBSCRIBE', 'UNSUBSCRIBE', 'PUNSUBSCRIBE', 'SUNSUBSCRIBE',
  'MONITOR', 'SYNC', 'PSYNC', 'REPLCONF',
]);

// These can hold their connection for seconds; on the shared one they would stall every caller.
const BLOCKING = new Set([
  'BLPOP', 'BRPOP', 'BRPOPLPUSH', 'BLMOVE', 'BLMPOP', 'BZPOPMIN', 'BZPOPMAX', 'BZMPOP', 'WAIT', 'WAITAOF',
]);

/** Validates one JSON command (`["SET","k","v","PX",5000]`) and turns its arguments into strings. */
export function parseCommand(value: unknown): ParsedCommand {
  if (!Array.isArray(value) || value.length === 0) {
    return { ok: false, error: 'ERR a command must be a non-empty JSON array' };
  }
  const args: string[] = [];
  for (const [index, arg] of value.entries()) {
    if (typeof arg === 'string') args.push(arg);
    // The client passes numbers and booleans through unserialized; Redis wants their text.
    else if (typeof arg === 'number' && Number.isFinite(arg)) args.push(String(arg));
    else if (typeof arg === 'boolean') args.push(String(arg));
    else return { ok: false, error: `ERR command argument ${index} must be a string or a number` };
  }
  return { ok: true, command: { name: (args[0] as string).toUpperCase(), args } };
}

/** Decides which connection a command may use. */
export function routeCommand(command: BridgeCommand): CommandRoute {
  const { name, args } = command;
  if (REFUSED.has(name)) return 'refused';
  // CLIENT REPLY OFF would make Redis skip replies and desynchronise the shared pipeline.
  if (name === 'CLIENT' && args[1]?.toUpperCase() === 'REPLY') return 'refused';
  if (BLOCKING.has(name)) return 'dedicated';
  if ((name === 'XREAD' || name === 'XREADGROUP') && args.some((arg) => arg.toUpperCase() === 'BLOCK')) {
    return 'dedicated';
  }
  return 'shared';
}

export function refusedError(command: BridgeCommand): string {
  return `ERR ${command.name} is not supported by the REST bridge`;
}
