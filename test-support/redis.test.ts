// startRedis in both modes: a spawned server answers and is gone after stop(); with REDIS_URL the
// given server is used as-is and stop() leaves it (and its data) alone. deleteKeys stays in its prefix.
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "./ports";
import { connectRedis, deleteKeys, startRedis } from "./redis";

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

describe("freePort", () => {
  it("returns a port nobody listens on", async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await accepts(port)).toBe(false);
  });
});

describe("startRedis", () => {
  const savedUrl = process.env.REDIS_URL;
  afterEach(() => {
    if (savedUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = savedUrl;
  });

  it("spawns a private redis-server and stops it", async () => {
    delete process.env.REDIS_URL;
    const redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const client = await connectRedis(redis.url);
    expect(await client.sendCommand(["PING"])).toBe("PONG");
    // Nothing is persisted: the tests' keys must not end up in a dump file.
    expect(await client.sendCommand(["CONFIG", "GET", "save"])).toEqual(["save", ""]);
    await client.close();
    await redis.stop();
    expect(await accepts(redis.port)).toBe(false);
  });

  it("uses REDIS_URL as given and never stops or flushes it", async () => {
    delete process.env.REDIS_URL;
    const owned = await startRedis();
    try {
      process.env.REDIS_URL = owned.url;
      const shared = await startRedis();
      expect(shared).toMatchObject({ url: owned.url, host: "127.0.0.1", port: owned.port });
      const client = await connectRedis(owned.url);
      await client.sendCommand(["SET", "redis-test:kept", "1"]);
      await shared.stop();
      expect(await client.sendCommand(["GET", "redis-test:kept"])).toBe("1");
      await client.close();
    } finally {
      await owned.stop();
    }
  });

  it("deleteKeys removes only the keys under its prefix, glob characters included", async () => {
    delete process.env.REDIS_URL;
    const redis = await startRedis();
    const client = await connectRedis(redis.url);
    try {
      const notUtf8 = Buffer.from([0x61, 0x2a, 0x5b, 0x31, 0x5d, 0x3a, 0xff, 0xfe]); // 'a*[1]:' + two stray bytes
      await Promise.all([
        client.sendCommand(["SET", "a*[1]:x", "1"]),
        client.sendCommand(["SET", "a*[1]:y", "1"]),
        client.sendCommand(["SET", notUtf8, "1"]),
        client.sendCommand(["SET", "ab[1]:z", "1"]),
      ]);
      expect(await deleteKeys(redis.url, "a*[1]:")).toBe(3);
      expect(await client.sendCommand(["DBSIZE"])).toBe(1);
    } finally {
      await client.close();
      await redis.stop();
    }
  });
});
