/**
 * Redis's own "expired" events (keyspace notifications), for tests that must wait until a short-lived key
 * is gone, such as the "unavailable" marker a failed refresh leaves for its retry window. Waiting for the
 * event instead of sleeping for the key's TTL: the test neither guesses the timing nor passes early.
 */
import { RETRY_AFTER_SECONDS } from "edge-session-refresh";
import { expect } from "vitest";
import { connectRedis } from "./redis";

/**
 * How long the "unavailable" marker of a failed refresh lives: exactly the Retry-After the app answers with
 * (the package's contract, core/refresh/outcome.ts), so a client that waits that long finds it gone.
 */
export const UNAVAILABLE_MARKER_TTL_MS = RETRY_AFTER_SECONDS * 1_000;

export interface KeyExpiryWatch {
  /**
   * Resolves once Redis has expired every key that, when called, lives at most `maxTtlMs` more, plus any
   * key that expired since the watch began. Fails if there is no such key: the key the test waits for was
   * never written, and waiting would prove nothing.
   */
  shortLivedKeysExpired(maxTtlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Start it before the key is written, so its expiry cannot be missed. */
export async function watchKeyExpiry(redisUrl: string): Promise<KeyExpiryWatch> {
  const client = await connectRedis(redisUrl);
  // "E": keyevent notifications, "x": expired events; a private test Redis, so changing it is harmless.
  await client.configSet("notify-keyspace-events", "Ex");
  const subscriber = client.duplicate();
  subscriber.on("error", () => undefined);
  await subscriber.connect();
  const expired = new Set<string>();
  const listeners = new Set<() => void>();
  await subscriber.subscribe("__keyevent@0__:expired", (key) => {
    expired.add(key);
    for (const listener of listeners) listener();
  });
  return {
    async shortLivedKeysExpired(maxTtlMs) {
      const keys = await client.keys("*");
      const ttls = await Promise.all(keys.map((key) => client.pTTL(key)));
      const shortLived = keys.filter((_, index) => ttls[index]! > 0 && ttls[index]! <= maxTtlMs);
      expect(
        shortLived.length + expired.size,
        `a key living at most ${maxTtlMs} ms, live or already expired`,
      ).toBeGreaterThan(0);
      await new Promise<void>((resolvePromise) => {
        const check = () => {
          if (!shortLived.every((key) => expired.has(key))) return;
          listeners.delete(check);
          resolvePromise();
        };
        listeners.add(check);
        check();
      });
    },
    async close() {
      await subscriber.quit().catch(() => undefined);
      await client.quit().catch(() => undefined);
    },
  };
}
