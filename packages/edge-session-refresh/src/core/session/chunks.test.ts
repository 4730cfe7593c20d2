import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { chunkSessionCookie, joinSessionCookie } from "./chunks";

// next-auth's own cookie chunker, the one its routes use (not exported, so loaded by path): our chunks must
// be exactly its chunks, whatever its chunk size is.
const require = createRequire(import.meta.url);
const { SessionStore } = require(join(dirname(require.resolve("next-auth/jwt")), "..", "core", "lib", "cookie.js")) as {
  SessionStore: new (
    option: { name: string; options: object },
    req: { cookies: object },
    logger: Console,
  ) => {
    chunk(value: string, options: object): Array<{ name: string; value: string }>;
  };
};

const NAME = "next-auth.session-token";

function nextAuthChunks(value: string): Array<{ name: string; value: string }> {
  const store = new SessionStore({ name: NAME, options: {} }, { cookies: {} }, console);
  return store.chunk(value, {}).map(({ name, value: chunk }) => ({ name, value: chunk }));
}

describe("session cookie chunks are next-auth's", () => {
  it.each([1, 3932, 3933, 3934, 7866, 7867, 20_000])(
    "a %i-character cookie is cut where next-auth cuts it",
    (length) => {
      const value = Array.from({ length }, (_, i) => "abcdefghijklmnopqrstuvwxyz0123456789-_"[i % 38]).join("");
      const ours = chunkSessionCookie(NAME, value).map(({ name, value: chunk }) => ({ name, value: chunk }));
      expect(ours).toEqual(nextAuthChunks(value));
      expect(joinSessionCookie(new Map(ours.map((c) => [c.name, c.value])), NAME)).toBe(value);
    },
  );
});
