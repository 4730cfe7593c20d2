// startRedis in both modes: a spawned server answers and is gone after stop(); with REDIS_URL the
// given server is used as-is and stop() leaves it (and its data) alone. deleteKeys stays in its prefix.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RespClient } from '../dev/redis-rest/resp';
import { freePort } from './ports';
import { deleteKeys, startRedis } from './redis';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('freePort', () => {
  it('returns a port nobody listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await accepts(port)).toBe(false);
  });
});

describe('startRedis', () => {
  const savedUrl = process.env.REDIS_URL;
  afterEach(() => {
    if (savedUrl === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = savedUrl;
  });

  it('spawns a private redis-server and stops it', async () => {
    delete process.env.REDIS_URL;
    const redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const client = new RespClient(redis.url);
    expect(await client.send(['PING'])).toBe('PONG');
    // Nothing is persisted: the tests' keys must not end up in a dump file.
    expect(await client.send(['CONFIG', 'GET', 'save'])).toEqual([Buffer.from('save'), Buffer.from('')]);
    await client.close();
    await redis.stop();
    expect(await accepts(redis.port)).toBe(false);
  });

  it('uses REDIS_URL as given and never stops or flushes it', async () => {
    delete process.env.REDIS_URL;
    const owned = await startRedis();
    try {
      process.env.REDIS_URL = owned.url;
      const shared = await startRedis();
      expect(shared).toMatchObject({ url: owned.url, host: '127.0.0.1', port: owned.port });
      const client = new RespClient(owned.url);
      await client.send(['SET', 'redis-test:kept', '1']);
      await shared.stop();
      expect(await client.send(['GET', 'redis-test:kept'])).toEqual(Buffer.from('1'));
      await client.close();
    } finally {
      await owned.stop();
    }
  });

  it('deleteKeys removes only the keys under its prefix, glob characters included', async () => {
    delete process.env.REDIS_URL;
    const redis = await startRedis();
    const client = new RespClient(redis.url);
    try {
      await client.sendBatch([['SET', 'a*[1]:x', '1'], ['SET', 'a*[1]:y', '1'], ['SET', 'ab[1]:z', '1']]);
      expect(await deleteKeys(redis.url, 'a*[1]:')).toBe(2);
      expect(await client.send(['DBSIZE'])).toBe(1);
    } finally {
      await client.close();
      await redis.stop();
    }
  });
});
