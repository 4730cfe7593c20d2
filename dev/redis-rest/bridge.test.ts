// The bridge driven by @upstash/redis itself (default settings: auto-pipelining and base64
// responses), plus raw HTTP for the wire details the client hides. Redis is inspected directly
// through RespClient. Keys carry a per-run prefix, so a shared REDIS_URL server is safe to use.
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteKeys, startRedis, type TestRedis } from '../../test-support/redis';
import { startRedisRestBridge, type RedisRestBridge } from './bridge';
import { replyToText, RespClient } from './resp';

const TOKEN = 'bridge-test-token';
const prefix = `bridge-test:${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
const key = (name: string) => prefix + name;
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

let redisServer: TestRedis;
let bridge: RedisRestBridge;
let direct: RespClient;
let redis: Redis;
let rawRedis: Redis;

beforeAll(async () => {
  redisServer = await startRedis();
  bridge = await startRedisRestBridge({ redisUrl: redisServer.url, port: 0, token: TOKEN });
  direct = new RespClient(redisServer.url);
  redis = new Redis({ url: bridge.url, token: TOKEN });
  rawRedis = new Redis({ url: bridge.url, token: TOKEN, automaticDeserialization: false });
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
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

describe('@upstash/redis through the bridge', () => {
  it('SET with NX and PX, then GET', async () => {
    expect(await redis.set(key('nx'), 'first', { nx: true, px: 5_000 })).toBe('OK');
    expect(await redis.set(key('nx'), 'second', { nx: true, px: 5_000 })).toBeNull();
    expect(await redis.get(key('nx'))).toBe('first');
    const ttl = (await direct.send(['PTTL', key('nx')])) as number;
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('INCR and a hash', async () => {
    expect(await redis.incr(key('counter'))).toBe(1);
    expect(await redis.incrby(key('counter'), 5)).toBe(6);
    expect(await redis.hset(key('hash'), { name: 'ada', visits: 2 })).toBe(2);
    expect(await redis.hget(key('hash'), 'name')).toBe('ada');
    // HGETALL is never auto-pipelined, so this one goes through `POST /`.
    expect(await redis.hgetall(key('hash'))).toEqual({ name: 'ada', visits: 2 });
  });

  it('keeps unicode intact, byte for byte', async () => {
    const text = 'héllo ✓ 🎉 日本語 "quoted"';
    await redis.set(key('unicode'), text);
    expect(await redis.get(key('unicode'))).toBe(text);
    const stored = await direct.send(['GET', key('unicode')]);
    expect(Buffer.isBuffer(stored) && stored.equals(Buffer.from(text, 'utf8'))).toBe(true);
  });

  it('a JSON-looking string: parsed by default, verbatim with automaticDeserialization:false', async () => {
    await redis.set(key('json'), { user: 'ada', roles: ['admin'], n: 1 });
    expect(replyToText(await direct.send(['GET', key('json')]))).toBe('{"user":"ada","roles":["admin"],"n":1}');
    expect(await redis.get(key('json'))).toEqual({ user: 'ada', roles: ['admin'], n: 1 });
    expect(await rawRedis.get(key('json'))).toBe('{"user":"ada","roles":["admin"],"n":1}');
    await rawRedis.set(key('json-text'), '{"looks":"like json"}');
    expect(await rawRedis.get(key('json-text'))).toBe('{"looks":"like json"}');
    expect(await rawRedis.incr(key('raw-counter'))).toBe(1);
  });

  it('MGET with missing keys gives nulls in place', async () => {
    await redis.set(key('m1'), 'one');
    await redis.set(key('m3'), 'three');
    expect(await redis.mget(key('m1'), key('m2'), key('m3'))).toEqual(['one', null, 'three']);
  });

  it('an explicit pipeline is one request', async () => {
    const results = await redis
      .pipeline()
      .set(key('p'), 'v')
      .incr(key('p-count'))
      .get(key('p'))
      .hset(key('p-hash'), { f: 'x' })
      .exec();
    expect(results).toEqual(['OK', 1, 'v', 1]);
    expect(bridge.stats()).toMatchObject({ requests: 1, commands: 4 });
  });

  it('multi() runs as one transaction', async () => {
    const results = await redis.multi().set(key('tx'), 1).incr(key('tx')).get(key('tx')).exec();
    expect(results).toEqual(['OK', 2, 2]);
    expect(bridge.stats().byCommand).toEqual({ SET: 1, INCR: 1, GET: 1 });
  });

  it('concurrent transactions never interleave', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => redis.multi().incr(key('tx-race')).get(key('tx-race')).exec()),
    );
    for (const [incremented, read] of results) expect(read).toBe(incremented);
    expect(results.map(([incremented]) => incremented).sort((a, b) => Number(a) - Number(b))).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('EVAL returns nested arrays of strings, integers and nils', async () => {
    const lua = `return { KEYS[1], ARGV[1], 42, { 'nested', 7, false }, false, redis.status_reply('OK') }`;
    expect(await redis.eval(lua, [key('k')], ['argument'])).toEqual([key('k'), 'argument', 42, ['nested', 7, null], null, 'OK']);
    expect(await rawRedis.eval(`return { '17', 17 }`, [], [])).toEqual(['17', 17]);
  });

  it('EVALSHA of an unknown script rejects with NOSCRIPT', async () => {
    await expect(redis.evalsha('0'.repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it('createScript falls back from EVALSHA to EVAL once, then stays on EVALSHA', async () => {
    const lua = `return redis.call('INCRBY', KEYS[1], ARGV[1]) .. ':' .. '${prefix}'`;
    const script = redis.createScript<string>(lua);
    expect(await script.exec([key('script')], ['3'])).toBe(`3:${prefix}`);
    expect(bridge.stats().byCommand).toEqual({ EVALSHA: 1, EVAL: 1 });
    expect(await script.exec([key('script')], ['4'])).toBe(`7:${prefix}`);
    expect(bridge.stats().byCommand).toEqual({ EVALSHA: 2, EVAL: 1 });
    const sha = await redis.scriptLoad(`return 'loaded ${prefix}'`);
    expect(await redis.evalsha(sha, [], [])).toBe(`loaded ${prefix}`);
  });

  it('a wrong token is rejected', async () => {
    const intruder = new Redis({ url: bridge.url, token: 'wrong', retry: false });
    await expect(intruder.get(key('nx'))).rejects.toThrow(/Unauthorized/);
  });

  it('a command error rejects with the Redis error text', async () => {
    await redis.set(key('text'), 'not a number');
    await expect(redis.incr(key('text'))).rejects.toThrow(/ERR value is not an integer or out of range/);
    // Through `POST /` (HGETALL is not auto-pipelined) the error comes with status 400.
    await expect(redis.hgetall(key('text'))).rejects.toThrow(/WRONGTYPE/);
    await expect(redis.multi().set(key('tx-err'), 'x').incr(key('tx-err')).exec()).rejects.toThrow(
      /Command 2 \[ incr \] failed: ERR value is not an integer/,
    );
  });

  it('stats() counts auto-pipelined commands per name', async () => {
    await Promise.all([redis.set(key('s1'), 'a'), redis.get(key('s2')), redis.incr(key('s3')), redis.incr(key('s4'))]);
    const stats = bridge.stats();
    expect(stats.commands).toBe(4);
    expect(stats.byCommand).toEqual({ SET: 1, GET: 1, INCR: 2 });
    // Reads and writes ride in separate auto-pipelines: at most two HTTP requests for four commands.
    expect(stats.requests).toBeLessThanOrEqual(2);
  });
});

describe('the REST wire format', () => {
  it('plain JSON without Upstash-Encoding', async () => {
    expect(await post('/', ['SET', key('w'), 'wire', 'PX', 5000])).toEqual({ status: 200, body: { result: 'OK' } });
    expect(await post('/', ['GET', key('w')])).toEqual({ status: 200, body: { result: 'wire' } });
    expect(await post('/', ['GET', key('absent')])).toEqual({ status: 200, body: { result: null } });
  });

  it('base64 strings at every depth, integers and nulls raw, errors unencoded', async () => {
    const encoded = { 'upstash-encoding': 'base64' };
    expect(await post('/', ['SET', key('w64'), 'é'], encoded)).toEqual({ status: 200, body: { result: b64('OK') } });
    expect(await post('/', ['INCR', key('w64-n')], encoded)).toEqual({ status: 200, body: { result: 1 } });
    expect(await post('/', ['EVAL', `return { 'a', { 'b', 2, false } }`, 0], encoded)).toEqual({
      status: 200,
      body: { result: [b64('a'), [b64('b'), 2, null]] },
    });
    expect(await post('/pipeline', [['GET', key('w64')], ['INCR', key('w64')]], encoded)).toEqual({
      status: 200,
      body: [{ result: b64('é') }, { error: 'ERR value is not an integer or out of range' }],
    });
  });

  it('a failed single command is HTTP 400 with the Redis error', async () => {
    await post('/', ['SET', key('w-text'), 'abc']);
    expect(await post('/', ['INCR', key('w-text')])).toEqual({
      status: 400,
      body: { error: 'ERR value is not an integer or out of range' },
    });
    expect((await post('/', 'not a command')).status).toBe(400);
  });

  it('missing token is 401', async () => {
    const response = await fetch(bridge.url, { method: 'POST', body: JSON.stringify(['PING']) });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'Unauthorized' });
  });

  it('a transaction with a command Redis refuses to queue is discarded as a whole', async () => {
    const answer = await post('/multi-exec', [['SET', key('w-tx'), '1'], ['NOSUCHCOMMAND']]);
    expect(answer.status).toBe(400);
    expect((answer.body as { error: string }).error).toMatch(/^EXECABORT .*\(command 2: ERR unknown command/);
    expect(await direct.send(['EXISTS', key('w-tx')])).toBe(0);
  });

  it('connection-state commands are refused, the rest of the pipeline runs', async () => {
    const answer = await post('/pipeline', [['SUBSCRIBE', 'x'], ['SET', key('w-p'), 'ok'], ['GET', key('w-p')]]);
    expect(answer.body).toEqual([
      { error: 'ERR SUBSCRIBE is not supported by the REST bridge' },
      { result: 'OK' },
      { result: 'ok' },
    ]);
  });

  it('a blocking command gets its own connection and does not stall others', async () => {
    const waiting = post('/', ['BLPOP', key('queue'), 5]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await redis.lpush(key('queue'), 'job')).toBe(1);
    expect(await waiting).toEqual({ status: 200, body: { result: [key('queue'), 'job'] } });
  });

  it('the path form: GET /get/<key>', async () => {
    await redis.set(key('path'), 'via path');
    const response = await fetch(`${bridge.url}/get/${encodeURIComponent(key('path'))}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await response.json()).toEqual({ result: 'via path' });
  });
});
