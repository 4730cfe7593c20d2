// The simulated store distance: a bridge started with it answers no sooner than one round trip, and the
// command runs in the middle of it (a key written by the request exists before the answer arrives).
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis, deleteKeys, startRedis, type TestRedis } from "../../test-support/redis";
import { startRedisRestBridge, type RedisRestBridge } from "./bridge";
import { parseLatency, simulatedDistance } from "./latency";

const TOKEN = "latency-test-token";
const ROUND_TRIP_MS = 80;
const prefix = `latency-test:${process.pid}:${Date.now()}:`;

let redisServer: TestRedis;
let bridge: RedisRestBridge;

beforeAll(async () => {
  redisServer = await startRedis();
  bridge = await startRedisRestBridge({ redisUrl: redisServer.url, port: 0, token: TOKEN, latencyMs: ROUND_TRIP_MS });
});
afterAll(async () => {
  await bridge?.close();
  if (redisServer) await deleteKeys(redisServer.url, prefix);
  await redisServer?.stop();
});

describe("the bridge's simulated store distance", () => {
  it("answers a command no sooner than one round trip, and runs it half-way", async () => {
    const client = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false, enableAutoPipelining: false });
    const direct = await connectRedis(redisServer.url);
    try {
      const started = performance.now();
      const answer = client.set(`${prefix}k`, "v");
      // The write lands before the answer does: seen directly in Redis while the request is still out.
      await expect.poll(() => direct.sendCommand(["GET", `${prefix}k`]), { interval: 5 }).toBe("v");
      let answered = false;
      void answer.then(() => (answered = true));
      expect(answered).toBe(false);
      await answer;
      expect(performance.now() - started).toBeGreaterThanOrEqual(ROUND_TRIP_MS - 1);
    } finally {
      await direct.close();
    }
  });
});

describe("parseLatency and simulatedDistance", () => {
  it.each([
    [undefined, 0],
    ["", 0],
    ["0", 0],
    ["100", 100],
  ])("REDIS_REST_LATENCY_MS=%j is %d ms", (value, ms) => {
    expect(parseLatency(value)).toBe(ms);
  });

  it.each(["-1", "1.5", "ten", "10001"])("refuses REDIS_REST_LATENCY_MS=%j with a clear message", (value) => {
    expect(() => parseLatency(value)).toThrow(/REDIS_REST_LATENCY_MS must be a whole number/);
  });

  it("refuses a negative distance", () => {
    expect(() => simulatedDistance(-5)).toThrow(/>= 0/);
  });
});
