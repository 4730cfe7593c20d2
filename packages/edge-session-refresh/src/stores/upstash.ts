/**
 * The shared lock store on Upstash Redis over HTTP, so every edge isolate and every instance sees the same
 * locks and successors. The scripts and keys are redis-scripts.ts's, run by redis-lock-store.ts; this file
 * only adapts a script client to them and tells Upstash's failures apart.
 *
 * It takes the few script methods it needs as a structural type (as @upstash/ratelimit does), so any
 * client with `evalsha`/`eval` semantics fits: the package's own REST transport (upstash-rest.ts, what the
 * table builds, small enough for the edge bundle) or @upstash/redis's `Redis` (upstash-client.ts).
 */
import type { SessionErrorCode } from "../core/errors";
import type { LockStore } from "../core/refresh/lock-store";
import type { ReadText } from "../core/setting-values";
import type { StoreEntry } from "./entry";
import { createRedisLockStore } from "./redis-lock-store";
import { hostOf, isUrl } from "./settings";
import { createUpstashRestClient, UpstashRestError, type UpstashRestOptions } from "./upstash-rest";

/** One lock-store command should answer in far less; past this the store counts as unreachable. */
export const STORE_TIMEOUT_MS = 1_500;
/**
 * One retry after a failed fetch, 25 ms later, inside the same deadline (@upstash/redis's default is 5
 * retries with exponential backoff: seconds of stall inside a lock wait).
 */
export const STORE_REST_OPTIONS: UpstashRestOptions = Object.freeze({
  timeoutMs: STORE_TIMEOUT_MS,
  retries: 1,
  retryBackoffMs: 25,
});

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

const UNAUTHORIZED_TEXT = /unauthori[sz]ed|WRONGPASS|NOAUTH|invalid (api )?token/i;
const RATE_LIMITED_TEXT = /limit exceeded|rate.?limit|too many requests|quota/i;

/**
 * Which failure a client error is. The package's REST transport keeps the HTTP status (UpstashRestError:
 * 401/403, 429, another non-2xx, a Redis error reply in a 200, a body that is not JSON).
 * @upstash/redis does not keep the HTTP status: a non-2xx answer becomes
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
  if (top instanceof UpstashRestError) {
    if (top.status === 401 || top.status === 403 || UNAUTHORIZED_TEXT.test(top.message)) return "STORE_UNAUTHORIZED";
    if (top.status === 429 || RATE_LIMITED_TEXT.test(top.message)) return "STORE_RATE_LIMITED";
    // A 200 with a Redis error reply: the service works but refused our command.
    const answered = top.status >= 200 && top.status < 300 && !top.unreadable;
    return answered ? "STORE_PROTOCOL" : "STORE_SERVER_ERROR";
  }
  if (top.name === "UpstashJSONParseError") return "STORE_SERVER_ERROR";
  if (top.name === "UpstashError") {
    const text = top.message;
    if (UNAUTHORIZED_TEXT.test(text)) return "STORE_UNAUTHORIZED";
    if (RATE_LIMITED_TEXT.test(text)) return "STORE_RATE_LIMITED";
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
  create: (settings) => createUpstashLockStore(createUpstashRestClient(settings, STORE_REST_OPTIONS)),
  shared: true,
  unlockedWhenStoreFails: false,
  describe: (settings) => `[session] lock store: Upstash REST at ${new URL(settings.url).origin}`,
  signInLimiters: (settings, _context, kit) => kit.upstash(settings),
} satisfies StoreEntry<"upstash">;
