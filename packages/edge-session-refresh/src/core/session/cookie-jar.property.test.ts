/**
 * The Cookie header reader and writer: a round trip for every valid jar, and any header string parses
 * without throwing into a jar the chunk assembler can read. 10 000 generated cases per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { joinSessionCookie, sessionCookieName } from "./chunks";
import { parseCookieHeader, serializeCookieHeader } from "./cookie-jar";

const RUNS = 10_000;
const NAME = sessionCookieName(false);

describe("cookie header properties", () => {
  /** RFC 6265 cookie-name (token) and cookie-value (cookie-octet) characters. */
  const tokenChar = fc.constantFrom(..."!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
  const octetChars = [...Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i))].filter(
    (c) => !'",;\\'.includes(c),
  );
  const cookieName = fc.string({ unit: tokenChar, minLength: 1, maxLength: 24 });
  const cookieValue = fc.string({ unit: fc.constantFrom(...octetChars), maxLength: 64 });

  it(`parseCookieHeader(serializeCookieHeader(jar)) is the jar, for valid names and values (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(cookieName, cookieValue), { selector: ([name]) => name, maxLength: 12 }),
        (pairs) => {
          const jar = new Map(pairs);
          expect(parseCookieHeader(serializeCookieHeader(jar))).toEqual(jar);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`any header string parses to a jar of trimmed, non-empty names without ";" and never throws (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 300 }),
          fc
            .array(fc.constantFrom(";", "=", " ", "a", "b", NAME, `${NAME}.0`, "\t"), { maxLength: 30 })
            .map((p) => p.join("")),
        ),
        (header) => {
          const jar = parseCookieHeader(header);
          for (const [name, value] of jar) {
            expect(name.length).toBeGreaterThan(0);
            expect(name).toBe(name.trim());
            expect(name).not.toContain(";");
            expect(value).not.toContain(";");
          }
          expect(() => joinSessionCookie(jar, NAME)).not.toThrow();
        },
      ),
      { numRuns: RUNS },
    );
  });
});
