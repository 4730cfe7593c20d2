/**
 * Whatever string comes in, what comes out is a path on the origin it is resolved against: it starts
 * with one "/" (never "//" or "/\") and `new URL(out, origin).origin === origin` for every origin tried.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sameOriginRedirect, sanitizeCallbackPath } from "./callback-path";

const RUNS = 10_000;
const ORIGINS = ["http://localhost:3000", "https://app.example.com", "https://app.example.com:8443"] as const;

/** Pieces attackers combine: slashes, dots, encodings, schemes, whitespace, look-alikes. */
const hostilePiece = fc.constantFrom(
  "/",
  "//",
  "\\",
  ".",
  "..",
  "%2e",
  "%2E",
  "%2f",
  "%2F",
  "%5c",
  "%252f",
  "%25",
  "%",
  "%0a",
  "%09",
  "\t",
  "\n",
  "\r",
  " ",
  "\u0000",
  "@",
  ":",
  "?",
  "#",
  "javascript:",
  "https:",
  "http:",
  "data:",
  "evil.example",
  "dashboard",
  "a",
  "／",
  "＼",
  "\u2215",
  "\u3002",
  "localhost:3000",
  "..;",
);
const hostileInput = fc.array(hostilePiece, { maxLength: 12 }).map((pieces) => pieces.join(""));
const anyInput = fc.oneof(
  hostileInput,
  fc.string({ unit: "binary", maxLength: 64 }),
  fc.webUrl().map((url) => url),
  fc.webPath(),
  fc.constantFrom("/", "/.", "/..").chain((head) => hostileInput.map((tail) => `${head}${tail}`)),
);

function expectSamePath(output: string): void {
  expect(output.startsWith("/")).toBe(true);
  expect(output.startsWith("//")).toBe(false);
  expect(output.startsWith("/\\")).toBe(false);
  for (const origin of ORIGINS) expect(new URL(output, origin).origin).toBe(origin);
}

describe("callback path properties", () => {
  it(`any string gives a same-origin path (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        expectSamePath(sanitizeCallbackPath(input));
      }),
      { numRuns: RUNS },
    );
  });

  it(`the redirect callback never leaves baseUrl's origin (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(anyInput, fc.constantFrom(...ORIGINS), (input, baseUrl) => {
        const out = sameOriginRedirect(input, baseUrl);
        expect(out.startsWith(baseUrl)).toBe(true);
        expectSamePath(out.slice(baseUrl.length));
        expect(new URL(out).origin).toBe(baseUrl);
      }),
      { numRuns: RUNS },
    );
  });

  it(`a kept path is stable: sanitising the output again gives the output (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const once = sanitizeCallbackPath(input, "/fallback");
        expect(sanitizeCallbackPath(once, "/other")).toBe(once);
      }),
      { numRuns: RUNS },
    );
  });
});
