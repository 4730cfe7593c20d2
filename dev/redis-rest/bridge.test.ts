// The bridge driven by @upstash/redis itself (default settings: auto-pipelining and base64
// responses), plus raw HTTP for the wire details and the refusals the client never shows. Redis is
// inspected directly through node-redis. Keys carry a per-run prefix, so a shared REDIS_URL server
// is safe to use.
import { request as httpRequest } from "node:http";
import { Redis } from "@upstash/redis";
import { RESP_TYPES } from "redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectRedis, deleteKeys, startRedis, type TestRedis, type TestRedisClient } from "../../test-support/redis";
import { startRedisRestBridge, type RedisRestBridge } from "./bridge";
import { NOT_ALLOWED_ERROR } from "./command";

const TOKEN = "bridge-test-token";
const prefix = `bridge-test:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
const key = (name: string) => prefix + name;
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
const NOT_ALLOWED = new RegExp(NOT_ALLOWED_ERROR);

let redisServer: TestRedis;
let bridge: RedisRestBridge;
let direct: TestRedisClient;
let redis: Redis;
let rawRedis: Redis;
/** No auto-pipelining: every command is its own `POST /`. */
let singleRedis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  bridge = await startRedisRestBridge({ redisUrl: redisServer.url, port: 0, token: TOKEN });
  direct = await connectRedis(redisServer.url);
  redis = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false });
  rawRedis = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false, automaticDeserialization: false });
  singleRedis = new Redis({ url: bridge.url, token: TOKEN, enableTelemetry: false, enableAutoPipelining: false });
});

afterAll(async () => {
  await bridge?.close();
  await direct?.close();
  if (redisServer) await deleteKeys(redisServer.url, prefix);
  await redisServer?.stop();
});

beforeEach(() => bridge.resetStats());

/** Raw HTTP against the bridge, for status codes and encodings. */
async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(bridge.url + path, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

/** node:http, which (unlike fetch) lets a test set Host and Origin as a browser or a rebinding page would. */
function rawPost(
  headers: Record<string, string>,
  body = JSON.stringify(["PING"]),
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      bridge.url,
      { method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) }),
        );
      },
    );
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

const getBuffer = (name: string) =>
  direct.sendCommand<Buffer | null>(["GET", name], { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } });

describe("@upstash/redis through the bridge", () => {
  it("SET with NX and PX, then GET and PTTL", async () => {
    expect(await redis.set(key("nx"), "first", { nx: true, px: 5_000 })).toBe("OK");
    expect(await redis.set(key("nx"), "second", { nx: true, px: 5_000 })).toBeNull();
    expect(await redis.get(key("nx"))).toBe("first");
    const ttl = await redis.pttl(key("nx"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    expect(await direct.sendCommand<number>(["PTTL", key("nx")])).toBeLessThanOrEqual(ttl);
  });

  it("SET's other options, DEL, EXISTS, TTL and PING", async () => {
    expect(await redis.set(key("xx"), "v", { xx: true })).toBeNull();
    expect(await redis.set(key("opts"), "one", { ex: 100 })).toBe("OK");
    expect(await redis.set(key("opts"), "two", { keepTtl: true, get: true })).toBe("one");
    expect(await redis.ttl(key("opts"))).toBeGreaterThan(90);
    expect(await redis.exists(key("opts"), key("missing"))).toBe(1);
    expect(await redis.del(key("opts"), key("missing"))).toBe(1);
    expect(await redis.pttl(key("opts"))).toBe(-2);
    expect(await redis.ping()).toBe("PONG");
  });

  it("keeps unicode intact, byte for byte", async () => {
    const text = 'héllo ✓ 🎉 日本語 "quoted"';
    await redis.set(key("unicode"), text);
    expect(await redis.get(key("unicode"))).toBe(text);
    expect((await getBuffer(key("unicode")))?.equals(Buffer.from(text, "utf8"))).toBe(true);
  });

  it("a JSON-looking string: parsed by default, verbatim with automaticDeserialization:false", async () => {
    await redis.set(key("json"), { user: "ada", roles: ["admin"], n: 1 });
    expect(await direct.sendCommand(["GET", key("json")])).toBe('{"user":"ada","roles":["admin"],"n":1}');
    expect(await redis.get(key("json"))).toEqual({ user: "ada", roles: ["admin"], n: 1 });
    expect(await rawRedis.get(key("json"))).toBe('{"user":"ada","roles":["admin"],"n":1}');
    await rawRedis.set(key("json-text"), '{"looks":"like json"}');
    expect(await rawRedis.get(key("json-text"))).toBe('{"looks":"like json"}');
    expect(await rawRedis.exists(key("json-text"))).toBe(1);
  });

  it("an explicit pipeline is one request", async () => {
    const results = await redis
      .pipeline()
      .set(key("p"), "v", { px: 10_000 })
      .get(key("p"))
      .get(key("p-missing"))
      .exists(key("p"))
      .del(key("p"))
      .exec();
    expect(results).toEqual(["OK", "v", null, 1, 1]);
    expect(bridge.stats()).toMatchObject({ requests: 1, commands: 5 });
  });

  it("multi() runs as one transaction", async () => {
    const results = await redis.multi().set(key("tx"), 1).get(key("tx")).del(key("tx")).exec();
    expect(results).toEqual(["OK", 1, 1]);
    expect(bridge.stats().byCommand).toEqual({ SET: 1, GET: 1, DEL: 1 });
  });

  it("concurrent transactions never interleave", async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        rawRedis.multi().set(key("tx-race"), `writer ${i}`).get(key("tx-race")).exec(),
      ),
    );
    results.forEach(([, read], i) => expect(read).toBe(`writer ${i}`));
  });

  it("EVAL returns nested arrays of strings, integers and nils", async () => {
    const lua = `return { KEYS[1], ARGV[1], 42, { 'nested', 7, false }, false, redis.status_reply('OK') }`;
    expect(await redis.eval(lua, [key("k")], ["argument"])).toEqual([
      key("k"),
      "argument",
      42,
      ["nested", 7, null],
      null,
      "OK",
    ]);
    expect(await rawRedis.eval(`return { '17', 17 }`, [], [])).toEqual(["17", 17]);
  });

  it("EVALSHA of an unknown script rejects with NOSCRIPT", async () => {
    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("createScript falls back from EVALSHA to EVAL once, then stays on EVALSHA", async () => {
    const lua = `return redis.call('SET', KEYS[1], ARGV[1], 'GET') or '' .. '${prefix}'`;
    const script = rawRedis.createScript<string>(lua);
    expect(await script.exec([key("script")], ["3"])).toBe(prefix);
    expect(bridge.stats().byCommand).toEqual({ EVALSHA: 1, EVAL: 1 });
    expect(await script.exec([key("script")], ["4"])).toBe("3");
    expect(bridge.stats().byCommand).toEqual({ EVALSHA: 2, EVAL: 1 });
    const sha = await redis.scriptLoad(`return 'loaded ${prefix}'`);
    expect(await redis.scriptExists(sha, "0".repeat(40))).toEqual([1, 0]);
    expect(await redis.evalsha(sha, [], [])).toBe(`loaded ${prefix}`);
  });

  it("a wrong token is rejected", async () => {
    const intruder = new Redis({ url: bridge.url, token: "wrong", retry: false, enableTelemetry: false });
    await expect(intruder.get(key("nx"))).rejects.toThrow(/Unauthorized/);
    expect(bridge.stats().commands).toBe(0);
  });

  it("a command error rejects with the Redis error text, single, auto-pipelined or in a transaction", async () => {
    const failing = `return redis.error_reply('ERR failing on purpose')`;
    await expect(singleRedis.eval(failing, [], [])).rejects.toThrow(/ERR failing on purpose/);
    await expect(redis.eval(failing, [], [])).rejects.toThrow(/ERR failing on purpose/);
    await expect(redis.multi().set(key("tx-err"), "x").eval(failing, [], []).exec()).rejects.toThrow(
      /Command 2 \[ eval \] failed: ERR failing on purpose/,
    );
    // The transaction still ran: Redis does not roll back the commands that succeeded.
    expect(await direct.sendCommand(["GET", key("tx-err")])).toBe("x");
  });

  it("stats() counts auto-pipelined commands per name", async () => {
    await Promise.all([redis.set(key("s1"), "a"), redis.get(key("s2")), redis.pttl(key("s3")), redis.pttl(key("s4"))]);
    const stats = bridge.stats();
    expect(stats.commands).toBe(4);
    expect(stats.byCommand).toEqual({ SET: 1, GET: 1, PTTL: 2 });
    // Reads and writes ride in separate auto-pipelines: at most two HTTP requests for four commands.
    expect(stats.requests).toBeLessThanOrEqual(2);
  });

  it("commands the app does not use are refused, whatever the route", async () => {
    await redis.set(key("counter"), "1");
    await expect(redis.incr(key("counter"))).rejects.toThrow(NOT_ALLOWED);
    await expect(singleRedis.keys("*")).rejects.toThrow(NOT_ALLOWED);
    await expect(singleRedis.flushall()).rejects.toThrow(NOT_ALLOWED);
    await expect(singleRedis.scriptFlush()).rejects.toThrow(NOT_ALLOWED);
    await expect(redis.pipeline().get(key("counter")).hgetall(key("counter")).exec()).rejects.toThrow(NOT_ALLOWED);
    await expect(redis.multi().set(key("counter"), "2").incr(key("counter")).exec()).rejects.toThrow(NOT_ALLOWED);
    // A refused command anywhere in a pipeline or transaction means none of it ran.
    expect(await direct.sendCommand(["GET", key("counter")])).toBe("1");
    expect(bridge.stats().byCommand).toEqual({ SET: 1 });
  });

  it("a random token by default", async () => {
    const other = await startRedisRestBridge({ redisUrl: redisServer.url });
    try {
      expect(other.token).toMatch(/^[0-9a-f]{64}$/);
      expect(other.token).not.toBe(bridge.token);
      const client = new Redis({ url: other.url, token: other.token, enableTelemetry: false });
      expect(await client.ping()).toBe("PONG");
      const guess = new Redis({ url: other.url, token: TOKEN, retry: false, enableTelemetry: false });
      await expect(guess.ping()).rejects.toThrow(/Unauthorized/);
    } finally {
      await other.close();
    }
  });
});

describe("the REST wire format", () => {
  it("plain JSON without Upstash-Encoding", async () => {
    expect(await post("/", ["SET", key("w"), "wire", "PX", 5000])).toEqual({ status: 200, body: { result: "OK" } });
    expect(await post("/", ["GET", key("w")])).toEqual({ status: 200, body: { result: "wire" } });
    expect(await post("/", ["GET", key("absent")])).toEqual({ status: 200, body: { result: null } });
  });

  it("base64 strings at every depth, integers and nulls raw, errors unencoded", async () => {
    const encoded = { "upstash-encoding": "base64" };
    expect(await post("/", ["SET", key("w64"), "é"], encoded)).toEqual({ status: 200, body: { result: b64("OK") } });
    expect(await post("/", ["PTTL", key("w64")], encoded)).toEqual({ status: 200, body: { result: -1 } });
    expect(await post("/", ["EVAL", `return { 'a', { 'b', 2, false } }`, 0], encoded)).toEqual({
      status: 200,
      body: { result: [b64("a"), [b64("b"), 2, null]] },
    });
    expect(
      await post(
        "/pipeline",
        [
          ["GET", key("w64")],
          ["EVAL", `return redis.error_reply('ERR nope')`, 0],
        ],
        encoded,
      ),
    ).toEqual({
      status: 200,
      body: [{ result: b64("é") }, { error: "ERR nope" }],
    });
  });

  it("binary values survive both ways", async () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a]);
    await direct.sendCommand(["SET", key("binary"), bytes]);
    expect(await post("/", ["GET", key("binary")], { "upstash-encoding": "base64" })).toEqual({
      status: 200,
      body: { result: bytes.toString("base64") },
    });
  });

  it("a failed single command is HTTP 400 with the Redis error", async () => {
    expect(await post("/", ["EVAL", `return redis.error_reply('ERR failing on purpose')`, 0])).toEqual({
      status: 400,
      body: { error: "ERR failing on purpose" },
    });
    expect(await post("/", "not a command")).toMatchObject({ status: 400 });
    expect(await post("/", '{"not":"json"')).toEqual({
      status: 400,
      body: { error: "ERR the request body is not valid JSON" },
    });
  });

  it("a refused command is HTTP 400 with the allow-list error, on every route", async () => {
    expect(await post("/", ["CONFIG", "SET", "dir", "/tmp"])).toEqual({
      status: 400,
      body: { error: NOT_ALLOWED_ERROR },
    });
    expect(await post("/", ["SCRIPT", "FLUSH"])).toEqual({ status: 400, body: { error: NOT_ALLOWED_ERROR } });
    expect(
      await post("/pipeline", [
        ["SET", key("w-p"), "ok"],
        ["SUBSCRIBE", "x"],
      ]),
    ).toEqual({
      status: 400,
      body: { error: NOT_ALLOWED_ERROR },
    });
    expect(await post("/multi-exec", [["SET", key("w-p"), "ok"], ["FLUSHDB"]])).toEqual({
      status: 400,
      body: { error: NOT_ALLOWED_ERROR },
    });
    expect(await direct.sendCommand(["EXISTS", key("w-p")])).toBe(0);
  });

  it("a transaction with a command Redis refuses to queue is discarded as a whole", async () => {
    const answer = await post("/multi-exec", [["SET", key("w-tx"), "1"], ["GET"]]);
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toMatch(
      /^EXECABORT .*\(command 2: ERR wrong number of arguments for 'get' command\)$/,
    );
    expect(await direct.sendCommand(["EXISTS", key("w-tx")])).toBe(0);
  });

  it("the token only in an Authorization: Bearer header", async () => {
    const noToken = await fetch(bridge.url, { method: "POST", body: JSON.stringify(["PING"]) });
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ error: "Unauthorized" });
    const inQuery = await fetch(`${bridge.url}/?_token=${TOKEN}`, { method: "POST", body: JSON.stringify(["PING"]) });
    expect(inQuery.status).toBe(401);
    // Even alongside a valid header: a token in a URL ends up in logs and histories.
    expect((await post(`/?_token=${TOKEN}`, ["PING"])).status).toBe(401);
    expect((await post("/", ["PING"], { authorization: `Basic ${TOKEN}` })).status).toBe(401);
    expect((await post("/", ["PING"], { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect(bridge.stats().commands).toBe(0);
  });

  it("a request from a browser (any Origin) is 403", async () => {
    for (const origin of ["https://evil.example", "http://127.0.0.1:3000", "null"]) {
      expect(await rawPost({ origin })).toEqual({ status: 403, body: { error: expect.stringMatching(/Origin/) } });
    }
    expect(bridge.stats().commands).toBe(0);
  });

  it("a Host that is not loopback is 403 (DNS rebinding), loopback names are fine", async () => {
    for (const host of [
      "evil.example",
      `evil.example:${bridge.port}`,
      "127.0.0.2",
      "10.0.0.1:8079",
      "localhost.evil.example",
    ]) {
      expect(await rawPost({ host })).toEqual({ status: 403, body: { error: expect.stringMatching(/loopback Host/) } });
    }
    for (const host of ["127.0.0.1", `localhost:${bridge.port}`, "LOCALHOST", `[::1]:${bridge.port}`]) {
      expect(await rawPost({ host })).toEqual({ status: 200, body: { result: "PONG" } });
    }
  });

  it("a body over 1 MiB is 413 and never reaches Redis", async () => {
    const big = "x".repeat(1024 * 1024);
    expect(await post("/", ["SET", key("big"), big])).toEqual({
      status: 413,
      body: { error: expect.stringMatching(/over 1048576 bytes/) },
    });
    // Chunked, without a Content-Length: cut off while reading.
    expect(await rawPost({ "transfer-encoding": "chunked" }, JSON.stringify(["SET", key("big"), big]))).toMatchObject({
      status: 413,
    });
    expect(await direct.sendCommand(["EXISTS", key("big")])).toBe(0);
    await expect(redis.set(key("big"), big)).rejects.toThrow(/over 1048576 bytes/);
    // Just under the limit is fine.
    const fits = "y".repeat(1024 * 1024 - 200);
    expect(await post("/", ["SET", key("big"), fits])).toEqual({ status: 200, body: { result: "OK" } });
  });

  it("only POST to /, /pipeline and /multi-exec", async () => {
    await redis.set(key("path"), "via path");
    const pathForm = await fetch(`${bridge.url}/get/${encodeURIComponent(key("path"))}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(pathForm.status).toBe(404);
    const get = await fetch(bridge.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
  });
});
