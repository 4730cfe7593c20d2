/**
 * The services every end-to-end check runs against: a real Redis, the Upstash-REST bridge in front of it
 * and the reference backend. Shared by integration/, e2e/, edge-tests/ and the load test; close() stops
 * what was started, in reverse order, and a start that fails half-way cleans up after itself.
 * Also the two direct backend calls those tests make behind the app's back.
 */
import { startReferenceBackend, type BackendOptions, type ReferenceBackend } from "../dev/backend/server";
import { startRedisRestBridge, type RedisRestBridge } from "../dev/redis-rest/bridge";
import type { BackendTokens } from "edge-session-refresh";
import { startRedis, type TestRedis } from "./redis";

export const DEMO_EMAIL = "demo@example.com";
export const DEMO_PASSWORD = "demo-password";

export interface Services {
  readonly redis: TestRedis;
  readonly bridge: RedisRestBridge;
  readonly backend: ReferenceBackend;
  /** The app's lock-store settings for this bridge. */
  readonly storeEnv: { readonly UPSTASH_REDIS_REST_URL: string; readonly UPSTASH_REDIS_REST_TOKEN: string };
  close(): Promise<void>;
}

export async function startServices(
  options: { backend?: Partial<BackendOptions>; storeToken?: string; storeLatencyMs?: number } = {},
): Promise<Services> {
  const storeToken = options.storeToken ?? "test-bridge-token";
  const stops: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const stop of stops.splice(0).reverse())
      await stop().catch((error: unknown) => console.error("[services] cleanup failed", error));
  };
  try {
    const redis = await startRedis();
    // Every key the app writes carries a TTL, so a shared REDIS_URL is left to expire them; only a
    // redis-server we spawned is stopped.
    stops.push(() => redis.stop());
    const bridge = await startRedisRestBridge({
      redisUrl: redis.url,
      port: 0,
      token: storeToken,
      latencyMs: options.storeLatencyMs,
    });
    stops.push(() => bridge.close());
    const backend = await startReferenceBackend({ port: 0, ...options.backend });
    stops.push(() => backend.close());
    const storeEnv = { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: storeToken };
    return { redis, bridge, backend, storeEnv, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Signs in at the backend directly (not through the app): real tokens, a fresh token family. */
export function backendLogin(backendUrl: string, email = DEMO_EMAIL, password = DEMO_PASSWORD): Promise<BackendTokens> {
  return backendTokens(backendUrl, "/api/auth", { email, password });
}

/** Rotates a refresh token at the backend directly, consuming it: the app's later use of it is a reuse. */
export function backendRefresh(backendUrl: string, refreshToken: string): Promise<BackendTokens> {
  return backendTokens(backendUrl, "/api/auth/refresh-token", { refreshToken });
}

async function backendTokens(backendUrl: string, path: string, body: Record<string, string>): Promise<BackendTokens> {
  const response = await fetch(`${backendUrl}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`backend ${path} failed: ${response.status} ${await response.text()}`);
  const { data } = (await response.json()) as { data: BackendTokens };
  return data;
}
