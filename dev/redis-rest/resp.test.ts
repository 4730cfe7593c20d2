// The RESP2 codec on hand-written byte streams (split anywhere), then the client on a real Redis:
// error replies as values, pipelined order, reconnect after the server drops the connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteKeys, startRedis, type TestRedis } from '../../test-support/redis';
import { encodeCommand, replyToText, RespClient, RespError, RespParser, type RespReply } from './resp';

function feedBytewise(stream: Buffer): RespReply[] {
  const parser = new RespParser();
  const replies: RespReply[] = [];
  for (const byte of stream) replies.push(...parser.push(Buffer.from([byte])));
  return replies;
}

describe('RespParser', () => {
  const stream = Buffer.concat([
    Buffer.from('+OK\r\n'),
    Buffer.from('-ERR value is not an integer or out of range\r\n'),
    Buffer.from(':-42\r\n'),
    Buffer.from('$-1\r\n'),
    Buffer.from('$0\r\n\r\n'),
    // A bulk string is length-prefixed, so CRLF and non-UTF-8 bytes inside it are just data.
    Buffer.from('$6\r\na\r\nb\xff\xfe\r\n', 'latin1'),
    Buffer.from('*-1\r\n'),
    Buffer.from('*0\r\n'),
    Buffer.from('*4\r\n$3\r\nfoo\r\n:7\r\n*2\r\n$-1\r\n+QUEUED\r\n-NOSCRIPT No matching script\r\n'),
    Buffer.from('$10\r\nh\xc3\xa9llo \xe2\x9c\x93\r\n', 'latin1'),
  ]);

  // Bulk strings are compared as bytes, errors by message.
  const bulk = (value: string | Buffer) => ({
    bulk: (typeof value === 'string' ? Buffer.from(value, 'utf8') : value).toString('hex'),
  });
  const plain = (reply: RespReply): unknown =>
    Buffer.isBuffer(reply) ? bulk(reply)
    : reply instanceof RespError ? { error: reply.message }
    : Array.isArray(reply) ? reply.map(plain)
    : reply;

  const expected = [
    'OK',
    { error: 'ERR value is not an integer or out of range' },
    -42,
    null,
    bulk(''),
    bulk(Buffer.from('a\r\nb\xff\xfe', 'latin1')),
    null,
    [],
    [bulk('foo'), 7, [null, 'QUEUED'], { error: 'NOSCRIPT No matching script' }],
    bulk('héllo ✓'),
  ];

  function check(replies: RespReply[]) {
    expect(replies.map(plain)).toEqual(expected);
    expect((replies[1] as RespError).code).toBe('ERR');
  }

  it('parses a stream delivered in one chunk', () => {
    check(new RespParser().push(stream));
  });

  it('parses the same stream fed one byte at a time', () => {
    check(feedBytewise(stream));
  });

  it('parses the stream split at every possible point', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new RespParser();
      const replies = [...parser.push(stream.subarray(0, cut)), ...parser.push(stream.subarray(cut))];
      expect(replies.map(plain)).toEqual(expected);
    }
  });

  it('rejects bytes that are not RESP2', () => {
    expect(() => new RespParser().push(Buffer.from('!oops\r\n'))).toThrow(/protocol error/);
  });

  it('encodes commands as binary-safe bulk strings', () => {
    expect(encodeCommand(['SET', 'k', 'é', 5000]).toString('utf8')).toBe(
      '*4\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\né\r\n$4\r\n5000\r\n',
    );
  });
});

describe('RespClient on a real Redis', () => {
  let redis: TestRedis;
  let client: RespClient;
  const prefix = `resp-test:${process.pid}:${Date.now()}:`;

  beforeAll(async () => {
    redis = await startRedis();
    client = new RespClient(redis.url);
  });

  afterAll(async () => {
    await client?.close();
    if (redis) await deleteKeys(redis.url, prefix);
    await redis?.stop();
  });

  it('returns error replies as values and keeps going', async () => {
    await client.send(['SET', `${prefix}text`, 'not a number']);
    const failed = await client.send(['INCR', `${prefix}text`]);
    expect(failed).toBeInstanceOf(RespError);
    expect((failed as RespError).message).toMatch(/^ERR value is not an integer/);
    expect(await client.send(['PING'])).toBe('PONG');
  });

  it('matches pipelined replies to their commands in order', async () => {
    const key = `${prefix}counter`;
    const replies = await Promise.all(Array.from({ length: 200 }, () => client.send(['INCR', key])));
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const batch = await client.sendBatch([['GET', key], ['GET', `${prefix}missing`], ['TYPE', key]]);
    expect(replyToText(batch)).toEqual(['200', null, 'string']);
  });

  it('round-trips binary values', async () => {
    const bytes = Buffer.from([0, 13, 10, 255, 254, 128]);
    await client.send(['SET', `${prefix}binary`, bytes]);
    const reply = await client.send(['GET', `${prefix}binary`]);
    expect(Buffer.isBuffer(reply) && reply.equals(bytes)).toBe(true);
  });

  it('reconnects after the server drops the connection', async () => {
    const id = await client.send(['CLIENT', 'ID']);
    const killer = new RespClient(redis.url);
    try {
      expect(await killer.send(['CLIENT', 'KILL', 'ID', String(id)])).toBe(1);
    } finally {
      await killer.close();
    }
    // The close may arrive after our next write; either way a later command gets through.
    await client.send(['PING']).catch(() => undefined);
    expect(await client.send(['PING'])).toBe('PONG');
    expect(await client.send(['CLIENT', 'ID'])).not.toBe(id);
  });

  it('rejects, rather than hangs, when nothing listens', async () => {
    const nowhere = new RespClient('redis://127.0.0.1:1');
    await expect(nowhere.send(['PING'])).rejects.toThrow(/Cannot connect to Redis/);
    await nowhere.close();
  });
});
