/**
 * The shared lock store on Upstash Redis over HTTP, so every edge isolate and every instance sees the same
 * locks and successors. The scripts and keys are redis-scripts.ts's, run by redis-lock-store.ts; this file
 * only adapts @upstash/redis to them and tells Upstash's failures apart.
 *
 * It takes the few script methods it needs as a structural type (as @upstash/ratelimit does), so any
 * client with `evalsha`/`eval`/`scriptLoad` semantics fits; `createUpstashClient` builds the usual one.
 */
import { Redis } from "@upstash/redis";
import type { SessionErrorCode } from "../errors";
import type { LockStore } from "./lock-store";
import { createRedisLockStore } from "./redis-lock-store";

/** One lock-store command should answer in far less; past this the store counts as unreachable. */
export const STORE_TIMEOUT_MS = 1_500;
/** The client's default is 5 retries with exponential backoff: seconds of stall inside a lock wait. */
const STORE_RETRIES = 1;
const STORE_RETRY_BACKOFF_MS = 25;

/** The script runner the store needs: @upstash/redis's `createScript` result has exactly this. */
export interface LockScript {
  exec(keys: string[], args: string[]): Promise<unknown>;
}
/** The few client methods the store uses; @upstash/redis's `Redis` satisfies it. */
export interface LockScriptClient {
  createScript(script: string): LockScript;
  ping(): Promise<unknown>;
}

export interface UpstashConnection {
  readonly url: string;
  readonly token: string;
}

/** An @upstash/redis client tuned for a lock: few retries, a per-command timeout, no JSON guessing. */
export function createUpstashClient(connection: UpstashConnection): Redis {
  return new Redis({
    url: connection.url,
    token: connection.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: STORE_RETRIES, backoff: () => STORE_RETRY_BACKOFF_MS },
    signal: () => AbortSignal.timeout(STORE_TIMEOUT_MS),
  });
}

/**
 * The lock store on Upstash. Upstash is one shard, never a cluster, and stores written by releases before
 * the v3 key layout may still be shared with their instances: so it keeps the v2 layout in step
 * (redis-scripts.ts, docs/DEPLOYING.md).
 */
export function createUpstashLockStore(redis: LockScriptClient): LockStore {
  const scripts = new Map<string, LockScript>();
  return createRedisLockStore({
    runner: {
      evaluate(script, keys, args) {
        let prepared = scripts.get(script);
        if (prepared === undefined) {
          prepared = redis.createScript(script);
          scripts.set(script, prepared);
        }
        return prepared.exec(keys, args);
      },
      ping: () => redis.ping(),
    },
    classify: classifyUpstashError,
    timeoutMs: STORE_TIMEOUT_MS,
  });
}

/**
 * Which failure a client error is. @upstash/redis does not keep the HTTP status: a non-2xx answer becomes
 * an UpstashError carrying the body's `error` text and ", command was: …", a Redis error reply in a 200
 * an UpstashError without that suffix, a non-JSON body (a gateway's page) an
 * UpstashJSONParseError, a refused connection fetch's TypeError, our per-command abort a TimeoutError.
 * So the words Upstash answers with are matched here, in this one place, and tested against the bridge.
 */
export function classifyUpstashError(error: unknown): SessionErrorCode {
  const chain: Error[] = [];
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) chain.push(cause);
  if (chain.some((e) => e.name === "TimeoutError" || e.name === "AbortError")) return "STORE_TIMEOUT";
  const top = chain[0];
  if (top === undefined) return "STORE_UNREACHABLE";
  if (top.name === "UpstashJSONParseError") return "STORE_SERVER_ERROR";
  if (top.name === "UpstashError") {
    const text = top.message;
    if (/unauthori[sz]ed|WRONGPASS|NOAUTH|invalid (api )?token/i.test(text)) return "STORE_UNAUTHORIZED";
    if (/limit exceeded|rate.?limit|too many requests|quota/i.test(text)) return "STORE_RATE_LIMITED";
    // The client appends ", command was: …" only when the HTTP status was not 2xx: the service failed.
    // Without it, the service answered 200 with a Redis error reply: it works but refused our command.
    return text.includes(", command was:") ? "STORE_SERVER_ERROR" : "STORE_PROTOCOL";
  }
  // fetch itself failed: refused, reset, unknown host (TypeError "fetch failed" with a system cause).
  return "STORE_UNREACHABLE";
}
