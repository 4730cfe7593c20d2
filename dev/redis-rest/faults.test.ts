// Fault injection, seen from @upstash/redis (what error each fault surfaces as) and from the app's
// lock store (a settle that fails after its claim succeeded). The clients retry once with a 10 ms
// backoff, so a refused connection fails fast; a hang is cut short by a per-request timeout.
import { request as httpRequest } from "node:http";
import { connect } from "node:net";
import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../test-support/ports";
import { deleteKeys, startRedis, type TestRedis } from "../../test-support/redis";
import { startRedisRestBridge, type RedisRestBridge } from "./bridge";
import { ERROR_REPLY, RATE_LIMITED_ERROR, SERVER_ERROR } from "./faults";

const TOKEN = "faults-test-token";
const prefix = `faults-test:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
const key = (name: string) => prefix + name;
const HANG_TIMEOUT_MS = 300;

let redisServer: TestRedis;
let bridge: RedisRestBridge;
let redis: Redis;
let singleRedis: Redis;

function client(options: { autoPipelining?: boolean; timeoutMs?: number } = {}): Redis {
  return new Redis({
    url: bridge.url,
    token: TOKEN,
    enableTelemetry: false,
    enableAutoPipelining: options.autoPipelining ?? true,
    retry: { retries: 1, backoff: () => 10 },
    ...(options.timeoutMs ? { signal: () => AbortSignal.timeout(options.timeoutMs as number) } : {}),
  });
}

beforeAll(async () => {
  redisServer = await startRedis();
  bridge = await startRedisRestBridge({ redisUrl: redisServer.url, port: 0, token: TOKEN });
  redis = client();
  singleRedis = client({ autoPipelining: false });
});

afterAll(async () => {
  await bridge?.close();
  if (redisServer) await deleteKeys(redisServer.url, prefix);
  await redisServer?.stop();
});

beforeEach(() => bridge.resetStats());
afterEach(() => bridge.setFault("none"));

/** Whether something accepts TCP connections on the bridge's port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** The rejection of `promise`, which must reject. */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("each fault, as @upstash/redis surfaces it", () => {
  it("'unauthorized': UpstashError 'Unauthorized' (HTTP 401)", async () => {
    await bridge.setFault("unauthorized");
    const error = await failure(redis.get(key("a")));
    expect(error.name).toBe("UpstashError");
    expect(error.message).toMatch(/^Unauthorized, command was/);
    await expect(singleRedis.get(key("a"))).rejects.toThrow(/^Unauthorized/);
    expect(bridge.stats()).toMatchObject({ requests: 2, commands: 0 });
  });

  it("'rate-limited': UpstashError with Upstash's quota message (HTTP 429)", async () => {
    await bridge.setFault("rate-limited");
    const response = await fetch(bridge.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '["PING"]',
    });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: RATE_LIMITED_ERROR });
    const error = await failure(redis.set(key("a"), "v"));
    expect(error.name).toBe("UpstashError");
    expect(error.message).toContain("ERR max requests limit exceeded");
  });

  it("'server-error': a 500 with a JSON error, or a gateway's HTML page the client cannot parse", async () => {
    await bridge.setFault("server-error");
    const error = await failure(redis.get(key("a")));
    expect(error.name).toBe("UpstashError");
    expect(error.message).toContain(SERVER_ERROR);

    await bridge.setFault("server-error", { status: 502 });
    const response = await fetch(bridge.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '["PING"]',
    });
    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/502 Bad Gateway/);
    const gateway = await failure(redis.get(key("a")));
    expect(gateway.name).toBe("UpstashJSONParseError");
    expect(gateway.message).toMatch(/502 Bad Gateway/);
  });

  it("'hang': no answer; the client's own timeout ends it (TimeoutError)", async () => {
    await bridge.setFault("hang");
    const impatient = client({ timeoutMs: HANG_TIMEOUT_MS });
    const started = Date.now();
    const error = await failure(impatient.get(key("a")));
    expect(error.name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(HANG_TIMEOUT_MS - 20);
    await bridge.setFault("none");
    expect(await impatient.get(key("a"))).toBeNull();
  });

  it("'refuse': the port is closed (fetch failed, ECONNREFUSED); 'none' listens again on the same port", async () => {
    const { port } = bridge;
    expect(await redis.set(key("r"), "before")).toBe("OK"); // a keep-alive connection is open now
    await bridge.setFault("refuse");
    expect(await accepts(port)).toBe(false);
    const error = await failure(redis.get(key("r")));
    expect(error.name).toBe("TypeError");
    expect(error.message).toBe("fetch failed");
    expect((error.cause as NodeJS.ErrnoException | undefined)?.code).toBe("ECONNREFUSED");

    await bridge.setFault("none");
    expect(await accepts(port)).toBe(true);
    expect(bridge.port).toBe(port);
    expect(await redis.get(key("r"))).toBe("before");
  });

  it("'error-reply': HTTP 200 with an error for every command", async () => {
    await bridge.setFault("error-reply");
    await expect(singleRedis.get(key("a"))).rejects.toThrow(ERROR_REPLY);
    await expect(redis.get(key("a"))).rejects.toThrow(`Command failed: ${ERROR_REPLY}`);
    const response = await fetch(`${bridge.url}/pipeline`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: '[["PING"],["GET","x"]]',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual([{ error: ERROR_REPLY }, { error: ERROR_REPLY }]);
    await bridge.setFault("error-reply", { message: "LOADING Redis is loading the dataset in memory" });
    await expect(singleRedis.get(key("a"))).rejects.toThrow(/^LOADING/);
    // Nothing reached Redis.
    expect(bridge.stats().commands).toBe(0);
  });

  it("the HTTP refusals come first: a browser request is 403 whatever the fault", async () => {
    await bridge.setFault("unauthorized");
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = httpRequest(
        bridge.url,
        { method: "POST", headers: { origin: "https://evil.example" } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      outgoing.on("error", reject);
      outgoing.end('["PING"]');
    });
    expect(status).toBe(403);
  });
});

describe("counting", () => {
  it("{ requests: N } fails only the next N requests", async () => {
    await bridge.setFault("rate-limited", { requests: 2 });
    await expect(singleRedis.get(key("a"))).rejects.toThrow(/max requests limit/);
    await expect(singleRedis.get(key("a"))).rejects.toThrow(/max requests limit/);
    expect(await singleRedis.get(key("a"))).toBeNull();
  });

  it("{ failAfter: N } serves N more requests first", async () => {
    await bridge.setFault("server-error", { failAfter: 2, requests: 1 });
    expect(await singleRedis.set(key("c"), "1")).toBe("OK");
    expect(await singleRedis.get(key("c"))).toBe(1);
    await expect(singleRedis.get(key("c"))).rejects.toThrow(SERVER_ERROR);
    expect(await singleRedis.get(key("c"))).toBe(1);
  });

  it("'refuse' with failAfter answers that many, then closes the port", async () => {
    const { port } = bridge;
    await bridge.setFault("refuse", { failAfter: 1 });
    expect(await accepts(port)).toBe(true);
    expect(await singleRedis.set(key("d"), "last")).toBe("OK");
    expect(await accepts(port)).toBe(false);
    await expect(singleRedis.get(key("d"))).rejects.toThrow("fetch failed");
    await bridge.setFault("none");
    expect(await singleRedis.get(key("d"))).toBe("last");
  });

  it("rejects options it cannot honour", async () => {
    await expect(bridge.setFault("refuse", { requests: 1 })).rejects.toThrow(/cannot count requests/);
    await expect(bridge.setFault("hang", { requests: 0 })).rejects.toThrow(/positive integer/);
    await expect(bridge.setFault("hang", { failAfter: -1 })).rejects.toThrow(/non-negative integer/);
    // @ts-expect-error: not a fault
    await expect(bridge.setFault("explode")).rejects.toThrow(/unknown fault/);
  });
});

describe("Redis itself unavailable (a real failure, not an injected one)", () => {
  it("the bridge does not start without Redis", async () => {
    const redisUrl = `redis://127.0.0.1:${await freePort()}`;
    await expect(startRedisRestBridge({ redisUrl })).rejects.toThrow(
      /^Cannot connect to Redis at redis:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/,
    );
  });

  it.skipIf(Boolean(process.env.REDIS_URL))(
    "Redis going away mid-run: HTTP 503, which @upstash/redis reports as an UpstashError",
    async () => {
      const own = await startRedis();
      const errors: Error[] = [];
      const lonely = await startRedisRestBridge({
        redisUrl: own.url,
        token: TOKEN,
        onRedisError: (error) => errors.push(error),
      });
      try {
        const client = new Redis({ url: lonely.url, token: TOKEN, enableTelemetry: false, retry: false });
        expect(await client.ping()).toBe("PONG");
        await own.stop();
        const response = await fetch(lonely.url, {
          method: "POST",
          headers: { authorization: `Bearer ${TOKEN}` },
          body: '["PING"]',
        });
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ error: expect.stringMatching(/^ERR Redis unavailable: /) });
        await expect(client.ping()).rejects.toThrow(/ERR Redis unavailable/);
        expect(errors.length).toBeGreaterThan(0);
      } finally {
        await lonely.close();
        await own.stop();
      }
    },
  );
});
