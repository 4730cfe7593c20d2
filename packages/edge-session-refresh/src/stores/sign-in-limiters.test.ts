/**
 * One contract, every limiter: the in-memory one, the TCP Redis script (node-redis against a real
 * standalone Redis) and @upstash/ratelimit through the Upstash-REST bridge over a real Redis. Time is
 * moved, not waited for: the memory and Redis limiters take a clock; @upstash/ratelimit reads Date.now(),
 * so for it only Date is faked.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { startRedisRestBridge, type RedisRestBridge } from "../../../../dev/redis-rest/bridge";
import {
  connectRedis,
  deleteKeys,
  startRedis,
  type TestRedis,
  type TestRedisClient,
} from "../../../../test-support/redis";
import type { Clock } from "../core/clock";
import { createUpstashClient } from "./upstash-client";
import type { AttemptLimiter, LimitRule } from "../core/signin/attempt-limiter";
import { signInLimitersFor, SIGNIN_KEY_PREFIX } from "./sign-in-limiters";
import { createMemoryLockStore } from "./memory";
import { createMemoryAttemptLimiter } from "./memory-limiter";
import { createRedisAttemptLimiter, type SignInScriptClient } from "./redis-limiter";
import { createUpstashAttemptLimiter } from "./upstash-limiter";

const TOKEN = "signin-limiters-test-token";
const PREFIX = `${SIGNIN_KEY_PREFIX}:test-${process.pid}`;
const rule: LimitRule = { max: 3, windowMs: 60_000 };
/** A fixed start at a window boundary, far from now (keys carry TTLs relative to real time, so stay short-lived anyway). */
const START = Math.floor(Date.now() / rule.windowMs) * rule.windowMs + 10 * rule.windowMs;

let redis: TestRedis;
let bridge: RedisRestBridge;
let tcp: TestRedisClient;

beforeAll(async () => {
  redis = await startRedis();
  bridge = await startRedisRestBridge({ redisUrl: redis.url, port: 0, token: TOKEN });
  tcp = await connectRedis(redis.url);
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await tcp?.close();
  await bridge?.close();
  await deleteKeys(redis.url, PREFIX);
  await redis?.stop();
});

interface Subject {
  readonly limiter: AttemptLimiter;
  setNow(ms: number): void;
}

let serial = 0;
const subjects: Record<string, () => Subject> = {
  memory: () => {
    let now = START;
    const clock: Clock = { now: () => now, sleep: async () => {} };
    return { limiter: createMemoryAttemptLimiter(rule, clock), setNow: (ms) => (now = ms) };
  },
  "redis (node-redis, TCP)": () => {
    let now = START;
    const client: SignInScriptClient = {
      eval: (script, keys, args) => tcp.eval(script, { keys, arguments: args }),
      evalsha: (sha, keys, args) => tcp.evalSha(sha, { keys, arguments: args }),
    };
    return {
      limiter: createRedisAttemptLimiter({ client, rule, prefix: `${PREFIX}:${++serial}:`, now: () => now }),
      setNow: (ms) => (now = ms),
    };
  },
  "upstash (@upstash/ratelimit over the bridge)": () => {
    vi.useFakeTimers({ toFake: ["Date"], now: START });
    const limiter = createUpstashAttemptLimiter({
      redis: createUpstashClient({ url: bridge.url, token: TOKEN }),
      rule,
      prefix: `${PREFIX}:${++serial}`,
    });
    return { limiter, setNow: (ms) => vi.setSystemTime(ms) };
  },
};

describe.each(Object.keys(subjects))("%s", (name) => {
  const make = subjects[name]!;

  it("allows `max` attempts, refuses the next until just past the window's end, and does not count refusals", async () => {
    const { limiter, setNow } = make();
    setNow(START + 10_000);
    for (let i = 0; i < rule.max; i++) expect((await limiter.take("k")).allowed).toBe(true);
    const refused = await limiter.take("k");
    expect(refused).toEqual({ allowed: false, retryAfterMs: 50_000 });
    setNow(START + 50_000);
    expect((await limiter.take("k")).allowed).toBe(false);
    // Just past the end: the full window's 3 weigh just under 1 → 2, one more may go.
    setNow(START + 60_001);
    expect((await limiter.take("k")).allowed).toBe(true);
    expect((await limiter.take("k")).allowed).toBe(false);
    // Two windows on, everything is forgotten.
    setNow(START + 180_000);
    for (let i = 0; i < rule.max; i++) expect((await limiter.take("k")).allowed).toBe(true);
  });

  it("keys are counted apart", async () => {
    const { limiter, setNow } = make();
    setNow(START);
    for (let i = 0; i < rule.max; i++) await limiter.take("a");
    expect((await limiter.take("a")).allowed).toBe(false);
    expect((await limiter.take("b")).allowed).toBe(true);
  });

  it("clear() forgets a key's attempts, in this window and the previous one", async () => {
    const { limiter, setNow } = make();
    setNow(START + 59_000);
    for (let i = 0; i < rule.max; i++) await limiter.take("c");
    // The next window's first instant: the previous window still weighs 1.
    setNow(START + 60_000);
    expect((await limiter.take("c")).allowed).toBe(false);
    await limiter.clear("c");
    for (let i = 0; i < rule.max; i++) expect((await limiter.take("c")).allowed).toBe(true);
  });

  it("concurrent attempts cannot slip past the limit", async () => {
    const { limiter, setNow } = make();
    setNow(START + 1000);
    const verdicts = await Promise.all(Array.from({ length: 20 }, () => limiter.take("burst")));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(rule.max);
  });
});

describe("through the bridge", () => {
  it("@upstash/ratelimit's flagged scripts run on a real Redis: EVALSHA falls back to EVAL once, then EVALSHA finds the script", async () => {
    const limiter = createUpstashAttemptLimiter({
      redis: createUpstashClient({ url: bridge.url, token: TOKEN }),
      rule,
      prefix: `${PREFIX}:sha`,
    });
    bridge.resetStats();
    await limiter.take("x");
    await limiter.take("x");
    await limiter.take("x");
    const { byCommand } = bridge.stats();
    expect(byCommand.EVAL ?? 0).toBeLessThanOrEqual(1);
    expect(byCommand.EVALSHA).toBe(3);
  });
});

describe("signInLimitersFor: the lock store's kind picks the counters", () => {
  const clock: Clock = { now: () => Date.now(), sleep: async () => {} };
  const scripts: SignInScriptClient = { eval: (script, keys, args) => tcp.eval(script, { keys, arguments: args }) };
  const cases = [
    { store: { kind: "memory" as const }, scripts: undefined, local: true },
    { store: { kind: "redis" as const, url: "redis://unused" }, scripts: undefined, local: true },
    { store: { kind: "redis" as const, url: "redis://unused" }, scripts, local: false },
    {
      store: { kind: "redis-cluster" as const, nodes: ["h:1"], tls: false, username: undefined, password: undefined },
      scripts,
      local: false,
    },
  ];
  it.each(cases)(
    "$store.kind with a script client: $scripts.eval → local $local",
    async ({ store, scripts, local }) => {
      // The TCP driver the Node adapter hands in supplies the script client; without it (the edge) counts are local.
      const tcpRedis = scripts && { lockStore: () => createMemoryLockStore(), scripts: () => scripts };
      const chosen = signInLimitersFor(store, { clock, production: false, tcpRedis });
      expect(chosen.local).toBe(local);
      if (local) return;
      // The shared limiter really counts on the Redis behind the script client.
      const limiter = chosen.limiterFor("account", { max: 2, windowMs: 60_000 });
      const key = `chosen-${process.pid}-${++serial}`;
      expect([
        (await limiter.take(key)).allowed,
        (await limiter.take(key)).allowed,
        (await limiter.take(key)).allowed,
      ]).toEqual([true, true, false]);
      await limiter.clear(key);
    },
  );
});
