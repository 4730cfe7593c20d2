/**
 * The package's Upstash REST transport against the real bridge (dev/redis-rest) to a real Redis: what the
 * lock store relies on from it besides the failure codes (upstash.test.ts) and the store contract
 * (contract.test.ts): results decoded byte for byte, EVALSHA with EVAL only when the script is unknown,
 * one deadline per command without a retry after it, errors that carry the status and not the arguments.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bridgedRedisForFile } from "../../../../test-support/bridged-redis";
import { connectRedis } from "../../../../test-support/redis";
import { createUpstashRestClient, UpstashRestError } from "./upstash-rest";

const TOKEN = "upstash-rest-test-token";
const OPTIONS = { timeoutMs: 400, retries: 1, retryBackoffMs: 25 };
const PREFIX = `esr:upstash-rest-test:${process.pid}:`;
const servers = bridgedRedisForFile({ token: TOKEN, keyPrefix: PREFIX.slice(0, -1) });
afterEach(() => servers.bridge.resetStats());

const client = (token = TOKEN) => createUpstashRestClient({ url: `${servers.bridge.url}/`, token }, OPTIONS);
const ECHO = "redis.call('SET', KEYS[1], ARGV[1]); return {redis.call('GET', KEYS[1]), 42, false}";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("Upstash REST transport", () => {
  it("decodes every string of a result (base64 on the wire) and keeps numbers and nil", async () => {
    const value = 'sealed.ü✓ "quoted" \u0000 end';
    const result = await client()
      .createScript(ECHO)
      .exec([`${PREFIX}echo`], [value]);
    expect(result).toEqual([value, 42, null]);
    expect(await client().ping()).toBe("PONG");
  });

  it("sends EVALSHA, and EVAL only when Redis does not know the script", async () => {
    const direct = await connectRedis(servers.redis.url);
    try {
      await direct.scriptFlush();
    } finally {
      await direct.close();
    }
    servers.bridge.resetStats();
    const script = client().createScript(`return ARGV[1] .. '-${process.pid}'`);
    expect(await script.exec([], ["a"])).toBe(`a-${process.pid}`);
    expect(await script.exec([], ["b"])).toBe(`b-${process.pid}`);
    expect(servers.bridge.stats().byCommand).toEqual({ EVALSHA: 2, EVAL: 1 });
  });

  it("keeps the HTTP status of a failure and never echoes the command's arguments", async () => {
    const unauthorized = await rejection(client("not-the-token").createScript(ECHO).exec(["k"], ["secret-arg"]));
    expect(unauthorized).toBeInstanceOf(UpstashRestError);
    expect(unauthorized).toMatchObject({ status: 401, unreadable: false });
    await servers.bridge.setFault("error-reply");
    const reply = await rejection(
      client()
        .createScript(ECHO)
        .exec([`${PREFIX}k`], ["secret-arg"]),
    );
    expect(reply).toMatchObject({ status: 200, unreadable: false });
    await servers.bridge.setFault("server-error", { status: 502 });
    const gateway = await rejection(client().ping());
    expect(gateway).toMatchObject({ status: 502, unreadable: true });
    for (const error of [unauthorized, reply, gateway]) expect(String(error)).not.toContain("secret-arg");
  });

  it("gives up at the deadline, without a retry after it", async () => {
    await servers.bridge.setFault("hang");
    servers.bridge.resetStats();
    const started = Date.now();
    const error = await rejection(client().ping());
    expect((error as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(OPTIONS.timeoutMs + 300);
    expect(servers.bridge.stats().requests).toBe(1);
  });
});
