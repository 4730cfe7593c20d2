// Redis replies as Upstash REST JSON. With `Upstash-Encoding: base64` every string (bulk or
// simple, at any depth) is base64 of its bytes, so binary values survive JSON; integers and nil
// stay raw and errors are never encoded. @upstash/redis 1.39 (chunk-*.mjs, `decode`) base64-decodes
// each string, except that a top-level "OK" is also accepted unencoded; encoding it like SRH does
// ("T0s=") decodes to the same "OK", so one rule covers every string here.
import { ErrorReply, type RedisReply } from "./redis";

/** One entry of a REST answer: `{ result }` or `{ error }`, as Upstash writes it. */
export type UpstashEntry = { result: unknown } | { error: string };

/** Converts a reply to its JSON `result` value. */
export function toUpstashResult(reply: RedisReply, base64: boolean): unknown {
  if (reply === null || typeof reply === "number") return reply;
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString("base64") : reply.toString("utf8");
  if (typeof reply === "string") return base64 ? Buffer.from(reply, "utf8").toString("base64") : reply;
  // An error nested in an array (a Lua table holding redis.error_reply) has no JSON slot of its
  // own: an object there would decode to null in the client, so it travels as its message.
  if (reply instanceof ErrorReply) return toUpstashResult(reply.message, base64);
  return reply.map((item) => toUpstashResult(item, base64));
}

/** Converts a top-level reply: an error reply becomes `{ error }`, anything else `{ result }`. */
export function toUpstashEntry(reply: RedisReply, base64: boolean): UpstashEntry {
  if (reply instanceof ErrorReply) return { error: reply.message };
  return { result: toUpstashResult(reply, base64) };
}
