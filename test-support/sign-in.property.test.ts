/**
 * The test-support Set-Cookie line parser (used by the cookie jar of every integration test and by the
 * edge-tests harness): it reads back the name and value of any valid cookie with any attributes, decides
 * "delete this cookie" like a browser (RFC 6265: Max-Age, when valid, wins over Expires), and never throws
 * on garbage. 10 000 generated lines per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseSetCookie } from "./sign-in";

const RUNS = 10_000;
const tokenChars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const octetChars = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).filter(
  (c) => !'",;\\'.includes(c),
);
const cookieName = fc.string({ unit: fc.constantFrom(...tokenChars), minLength: 1, maxLength: 24 });
const cookieValue = fc.string({ unit: fc.constantFrom(...octetChars), maxLength: 64 });

const DAY = 24 * 3600 * 1000;
const plainAttribute = fc.constantFrom(
  "Path=/",
  "HttpOnly",
  "Secure",
  "SameSite=Lax",
  "SameSite=Strict",
  "Domain=example.com",
  "Partitioned",
);
const maxAge = fc.oneof(
  fc.integer({ min: -10_000, max: 10_000_000 }).map(String),
  fc.constantFrom("0", "-1", "abc", "", "1.5", " 60"),
);
const expires = fc.oneof(
  fc
    .integer({ min: -3650, max: 3650 })
    .filter((days) => days !== 0)
    .map((days) => new Date(Date.now() + days * DAY).toUTCString()),
  fc.constantFrom("Thu, 01 Jan 1970 00:00:00 GMT", "not a date", ""),
);

/** Whether a browser deletes the cookie: a valid Max-Age decides; without one, a parseable Expires in the past. */
function browserDeletes(maxAgeValue: string | undefined, expiresValue: string | undefined): boolean {
  if (maxAgeValue !== undefined && /^-?\d+$/.test(maxAgeValue.trim())) return Number(maxAgeValue.trim()) <= 0;
  if (expiresValue !== undefined && !Number.isNaN(Date.parse(expiresValue)))
    return Date.parse(expiresValue) <= Date.now();
  return false;
}

describe("Set-Cookie line parser properties", () => {
  it(`reads back name and value, and deletes exactly when a browser would (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        cookieName,
        cookieValue,
        fc.array(plainAttribute, { maxLength: 4 }),
        fc.option(maxAge, { nil: undefined }),
        fc.option(expires, { nil: undefined }),
        fc.boolean(),
        (name, value, attributes, maxAgeValue, expiresValue, maxAgeFirst) => {
          const dated = [
            ...(maxAgeValue !== undefined ? [`Max-Age=${maxAgeValue}`] : []),
            ...(expiresValue !== undefined ? [`Expires=${expiresValue}`] : []),
          ];
          const line = [`${name}=${value}`, ...attributes, ...(maxAgeFirst ? dated : dated.reverse())].join("; ");
          expect(parseSetCookie(line)).toEqual({ name, value, expired: browserDeletes(maxAgeValue, expiresValue) });
        },
      ),
      { numRuns: RUNS },
    );
  });

  it(`any line is null or a cookie with a non-empty name, never a throw (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc
            .array(fc.constantFrom(";", "=", " ", "a", "Max-Age", "Expires", "=0"), { maxLength: 20 })
            .map((p) => p.join("")),
        ),
        (line) => {
          const cookie = parseSetCookie(line);
          if (cookie !== null) {
            expect(cookie.name.length).toBeGreaterThan(0);
            expect(typeof cookie.expired).toBe("boolean");
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
