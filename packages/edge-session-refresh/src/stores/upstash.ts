/**
 * The shared lock store on Upstash Redis over HTTP, so every edge isolate and every instance sees the same
 * locks and successors. The scripts and keys are redis-scripts.ts's, run by redis-lock-store.ts; this file
 * only adapts @upstash/redis to them and tells Upstash's failures apart.
 *
 * It takes the few script methods it needs as a structural type (as @upstash/ratelimit does), so any
 * client with `evalsha`/`eval`/`scriptLoad` semantics fits; `createUpstashClient` builds the usual one.
 */
import { Redis } from "@upstash/redis";
import type { SessionErrorCode } from "../core/errors";
import type { LockStore } from "../core/refresh/lock-store";
import type { ReadText } from "../core/setting-values";
import type { StoreEntry } from "./entry";
import { createRedisLockStore } from "./redis-lock-store";
import { hostOf, isUrl } from "./settings";

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
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++)
    chain.push(cause);
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

/** Upstash's own names first, then the names Vercel's Upstash integration injects. */
const URL_NAMES = ["UPSTASH_REDIS_REST_URL", "KV_REST_API_URL"] as const;
const TOKEN_NAMES = ["UPSTASH_REDIS_REST_TOKEN", "KV_REST_API_TOKEN"] as const;

function first(read: ReadText, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = read(name);
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/**
 * The table's entry: Upstash over HTTP, on the edge and on Node. Vercel's integration sets, for one
 * database, KV_REST_API_URL and KV_REST_API_TOKEN (used), KV_REST_API_READ_ONLY_TOKEN (never used), and
 * KV_URL and REDIS_URL (the same database over TCP): a REDIS_URL equal to KV_URL, or on the REST URL's
 * host, is that database again, not a second store.
 */
export const upstashStore = {
  settingNames: [...URL_NAMES, ...TOKEN_NAMES, "KV_URL"],
  label: "Upstash (UPSTASH_REDIS_REST_URL/KV_REST_API_URL)",
  configured: (read) => first(read, URL_NAMES) !== undefined || first(read, TOKEN_NAMES) !== undefined,
  sameDatabase(read) {
    const kvUrl = read("KV_URL");
    const rest = first(read, URL_NAMES);
    const redisUrl = read("REDIS_URL");
    if (rest === undefined || redisUrl === undefined) return [];
    const restHost = hostOf(rest.value);
    const same = redisUrl === kvUrl || (restHost !== undefined && hostOf(redisUrl) === restHost);
    return same ? ["REDIS_URL"] : [];
  },
  parse(read, problems) {
    const url = first(read, URL_NAMES);
    const token = first(read, TOKEN_NAMES);
    if (url === undefined) {
      problems.push({
        setting: "UPSTASH_REDIS_REST_URL",
        message: "UPSTASH_REDIS_REST_TOKEN is set but UPSTASH_REDIS_REST_URL is not",
      });
    } else if (token === undefined) {
      problems.push({
        setting: "UPSTASH_REDIS_REST_TOKEN",
        message: "UPSTASH_REDIS_REST_URL is set but UPSTASH_REDIS_REST_TOKEN is not",
      });
    } else {
      if (!isUrl(url.value, ["https:", "http:"]))
        problems.push({
          setting: url.name,
          message: `UPSTASH_REDIS_REST_URL is not an http(s) URL: ${JSON.stringify(url.value)}`,
        });
      return { kind: "upstash", url: url.value, token: token.value };
    }
    return { kind: "upstash", url: "", token: "" };
  },
  worksOnVercel: true,
  create: (settings) => createUpstashLockStore(createUpstashClient(settings)),
  shared: true,
  unlockedWhenStoreFails: false,
  describe: (settings) => `[session] lock store: Upstash REST at ${new URL(settings.url).origin}`,
  signInLimiters: (settings, _context, kit) => kit.upstash(createUpstashClient(settings)),
} satisfies StoreEntry<"upstash">;
