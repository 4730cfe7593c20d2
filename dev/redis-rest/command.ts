// What the bridge accepts as a command. Commands arrive as JSON arrays; only an allow-list of
// what @upstash/redis sends for this app gets through (see ALLOWED below), so a caller that got
// past the HTTP checks still cannot reconfigure, flush, scan or subscribe on the developer's Redis.

/** A command ready for Redis: `name` is the uppercased first word, for the allow-list and stats. */
export interface BridgeCommand {
  name: string;
  args: string[];
}

export type ParsedCommand = { ok: true; command: BridgeCommand } | { ok: false; error: string };

export const NOT_ALLOWED_ERROR = "ERR command not allowed by the dev bridge";

/**
 * Commands the app's lock store and the tests need, and nothing else:
 * - EVALSHA, then EVAL on NOSCRIPT: `createScript().exec()` in src/stores/upstash.ts,
 *   the only way the app talks to the store; SCRIPT LOAD/EXISTS are the same client's script API.
 * - GET, SET (every option: NX/XX, PX/EX/PXAT/EXAT, KEEPTTL, GET), DEL, PTTL, TTL, EXISTS: what the
 *   scripts do inside Redis, for tests and for looking at a lock by hand; PING for health checks.
 *
 * EVAL is powerful by nature: a script runs inside Redis and may `redis.call` nearly anything
 * (FLUSHALL included). That is accepted for a tool that only answers loopback callers holding the
 * token; the allow-list limits what a mistake or a confused client can do, it is not a sandbox.
 */
const ALLOWED = new Set(["EVAL", "EVALSHA", "GET", "SET", "DEL", "PTTL", "TTL", "EXISTS", "PING"]);
/** SCRIPT subcommands: LOAD and EXISTS only (no FLUSH, no KILL). */
const ALLOWED_SCRIPT = new Set(["LOAD", "EXISTS"]);

/** Validates one JSON command (`["SET","k","v","PX",5000]`) and turns its arguments into strings. */
export function parseCommand(value: unknown): ParsedCommand {
  if (!Array.isArray(value) || value.length === 0) {
    return { ok: false, error: "ERR a command must be a non-empty JSON array" };
  }
  const args: string[] = [];
  for (const [index, arg] of value.entries()) {
    if (typeof arg === "string") args.push(arg);
    // The client passes numbers and booleans through unserialized; Redis wants their text.
    else if (typeof arg === "number" && Number.isFinite(arg)) args.push(String(arg));
    else if (typeof arg === "boolean") args.push(String(arg));
    else return { ok: false, error: `ERR command argument ${index} must be a string or a number` };
  }
  return { ok: true, command: { name: (args[0] as string).toUpperCase(), args } };
}

/** Whether the dev bridge lets this command through to Redis. */
export function isAllowed(command: BridgeCommand): boolean {
  if (command.name === "SCRIPT") return ALLOWED_SCRIPT.has(command.args[1]?.toUpperCase() ?? "");
  return ALLOWED.has(command.name);
}
