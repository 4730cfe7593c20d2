/**
 * An @upstash/redis client for the package's Upstash parts that need the whole client: the sign-in limits
 * (@upstash/ratelimit takes a `Redis`), and store authors who run `createUpstashLockStore` on it. The lock
 * store the table builds uses the smaller REST transport (upstash-rest.ts); only the sign-in path and
 * `edge-session-refresh/stores` import this file, so the `Redis` class stays out of the edge middleware.
 */
import { Redis } from "@upstash/redis";
import { STORE_REST_OPTIONS, type UpstashConnection } from "./upstash";

/** An @upstash/redis client tuned like the lock store's: one retry, a per-command timeout, no JSON guessing. */
export function createUpstashClient(connection: UpstashConnection): Redis {
  return new Redis({
    url: connection.url,
    token: connection.token,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: STORE_REST_OPTIONS.retries, backoff: () => STORE_REST_OPTIONS.retryBackoffMs },
    signal: () => AbortSignal.timeout(STORE_REST_OPTIONS.timeoutMs),
  });
}
