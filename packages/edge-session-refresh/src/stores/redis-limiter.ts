/**
 * The sliding-window limiter on a Redis or Valkey reached over TCP (the node-redis store), as one Lua
 * script per attempt: read both windows, decide, count — atomically, so concurrent attempts on several
 * instances cannot all slip under the limit. It needs only a script-running client, so any driver fits:
 * node-redis's `eval(script, { keys, arguments })` wrapped as `{ eval(script, keys, args) }`.
 *
 * Keys: `<prefix>{<key>}:<window number>`. The `{…}` hash tag puts both windows of a key in one Redis
 * Cluster slot, so the script never fails with CROSSSLOT. Each window lives two windows and a second.
 */
import {
  slidingWindowAt,
  slidingWindowVerdict,
  type AttemptLimiter,
  type LimitRule,
} from "../core/signin/attempt-limiter";
import { scriptSha1 } from "./redis-scripts";

/** What the limiter needs from a Redis client: run a script (EVAL), optionally by its SHA-1 first (EVALSHA). */
export interface SignInScriptClient {
  eval(script: string, keys: string[], args: string[]): Promise<unknown>;
  /** When given, used first; a NOSCRIPT error falls back to eval (which loads the script). */
  evalsha?(sha1: string, keys: string[], args: string[]): Promise<unknown>;
}

/**
 * KEYS: current window, previous window. ARGV: max, weight of the previous window (0..1), TTL ms.
 * → {current count before, previous count, 1 if counted}. The same arithmetic as slidingWindowVerdict.
 */
export const TAKE_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if math.floor(tonumber(ARGV[2]) * previous) + current >= tonumber(ARGV[1]) then return {current, previous, 0} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {current, previous, 1}
`;

/** KEYS: current window, previous window. */
export const CLEAR_SCRIPT = `return redis.call('DEL', KEYS[1], KEYS[2])`;

export interface RedisAttemptLimiterOptions {
  readonly client: SignInScriptClient;
  readonly rule: LimitRule;
  /** Key prefix naming the limit, e.g. `esr:signin:account-address:`. */
  readonly prefix: string;
  readonly now?: () => number;
}

export function createRedisAttemptLimiter(options: RedisAttemptLimiterOptions): AttemptLimiter {
  const { client, rule, prefix } = options;
  const now = options.now ?? (() => Date.now());
  const shas = new Map<string, Promise<string>>();

  async function run(script: string, keys: string[], args: string[]): Promise<unknown> {
    if (client.evalsha === undefined) return client.eval(script, keys, args);
    let sha = shas.get(script);
    if (sha === undefined) shas.set(script, (sha = scriptSha1(script)));
    try {
      return await client.evalsha(await sha, keys, args);
    } catch (error) {
      if (!String(error instanceof Error ? error.message : error).includes("NOSCRIPT")) throw error;
      return client.eval(script, keys, args);
    }
  }

  function windowKeys(key: string, at: number): [string, string] {
    const { current } = slidingWindowAt(at, rule.windowMs);
    return [`${prefix}{${key}}:${current}`, `${prefix}{${key}}:${current - 1}`];
  }

  return {
    async take(key) {
      const at = now();
      const { previousWeight } = slidingWindowAt(at, rule.windowMs);
      const reply = await run(TAKE_SCRIPT, windowKeys(key, at), [
        String(rule.max),
        String(previousWeight),
        String(rule.windowMs * 2 + 1000),
      ]);
      if (!Array.isArray(reply) || reply.length !== 3)
        throw new Error(`unexpected sign-in limit reply: ${JSON.stringify(reply)?.slice(0, 100)}`);
      const [current, previous, counted] = reply.map(Number) as [number, number, number];
      const verdict = slidingWindowVerdict(rule, at, current, previous);
      // The script decided atomically; the verdict only adds the wait. They agree unless the float weight rounds differently.
      return counted === 1
        ? { allowed: true, retryAfterMs: 0 }
        : { allowed: false, retryAfterMs: verdict.allowed ? 1000 : verdict.retryAfterMs };
    },
    async clear(key) {
      await run(CLEAR_SCRIPT, windowKeys(key, now()), []);
    },
  };
}
