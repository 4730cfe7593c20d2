/**
 * Every token-response parser, for any JSON value: either `ok` with a non-empty access token and a
 * finite, positive expiry, or `malformed` — never an exception, never a NaN/Infinity/negative expiry.
 * The parsers are a list so another backend shape (an OAuth variant) is one more entry.
 * 10 000 generated bodies per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseOAuthTokenResponse, parseTokenResponse } from "./token-response";

const RUNS = 10_000;

interface ParserUnderTest {
  readonly name: string;
  readonly parse: (body: unknown, nowMs: number) => { readonly kind: string };
}

/** Add a parser here and every property below applies to it. */
const PARSERS: readonly ParserUnderTest[] = [
  { name: "parseTokenResponse", parse: (body, now) => parseTokenResponse(body, { receivedAt: now }) },
  {
    name: "parseTokenResponse with a Date header",
    parse: (body, now) => parseTokenResponse(body, { receivedAt: now, serverDate: now - 60_000 }),
  },
  { name: "parseOAuthTokenResponse", parse: (body, now) => parseOAuthTokenResponse(body, { receivedAt: now }) },
];

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
/** A JWT-shaped access token whose `exp` is any JSON value (the parser reads it when no expiry field is given). */
const jwtWithExp = fc
  .oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(1e300, -1e300, -1, 0, Number.MAX_VALUE),
    fc.jsonValue({ maxDepth: 1 }),
  )
  .map((exp) => `${b64url({ alg: "none" })}.${b64url({ sub: "u", exp })}.sig`);
const anyNumberish = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(1e300, -1e300, 1e308, Number.MAX_SAFE_INTEGER, -1, 0, 0.5, 1e11, 1e11 - 1),
  fc.stringMatching(/^\d{1,400}(\.\d{1,4})?$/),
  fc.constantFrom("9".repeat(400), "0", "00", " 1 ", "1e400", "Infinity", "NaN", "-5"),
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "275760-09-13T00:00:00Z",
    "2030-01-01T00:00",
    "2030-13-45T99:99",
  ),
  fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? "Invalid Date" : date.toISOString())),
  fc.jsonValue({ maxDepth: 1 }),
);
const tokenFields = fc.record(
  {
    accessToken: fc.oneof(fc.string(), jwtWithExp, fc.jsonValue({ maxDepth: 1 })),
    access_token: fc.oneof(fc.string(), jwtWithExp),
    access: fc.oneof(fc.string(), jwtWithExp),
    refreshToken: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
    refresh_token: fc.string(),
    refresh: fc.string(),
    accessTokenExpires: anyNumberish,
    expiresAt: anyNumberish,
    expires_at: anyNumberish,
    expires_in: anyNumberish,
    expiresIn: anyNumberish,
  },
  { requiredKeys: [] },
);
/** Plausible and implausible bodies: flat, nested under `data`, any JSON at all. */
const body = fc.oneof(
  tokenFields,
  tokenFields.map((data) => ({ data })),
  fc.record({ data: fc.jsonValue({ maxDepth: 2 }) }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, undefined, [], "", 0, true),
);
const nowMs = fc.integer({ min: 1, max: 8.64e15 });

describe.each(PARSERS)("$name properties", ({ parse }) => {
  it(`any JSON body is ok with a usable token and a finite positive expiry, or malformed; never a throw (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(body, nowMs, (value, now) => {
        let result: {
          kind: string;
          tokens?: { accessToken?: unknown; accessTokenExpires?: unknown; refreshToken?: unknown };
        };
        expect(() => (result = parse(value, now))).not.toThrow();
        expect(["ok", "malformed"]).toContain(result!.kind);
        if (result!.kind === "ok") {
          const { accessToken, accessTokenExpires, refreshToken } = result!.tokens!;
          expect(typeof accessToken === "string" && accessToken.length > 0).toBe(true);
          expect(
            typeof accessTokenExpires === "number" && Number.isFinite(accessTokenExpires) && accessTokenExpires > 0,
            String(accessTokenExpires),
          ).toBe(true);
          expect(refreshToken === undefined || (typeof refreshToken === "string" && refreshToken.length > 0)).toBe(
            true,
          );
        }
      }),
      { numRuns: RUNS },
    );
  });

  it.each([
    ["an ISO date before 1970", { access_token: "a", expiresAt: "0000-01-01T00:00:00Z" }],
    ["a negative JWT exp", { access_token: `${b64url({ alg: "none" })}.${b64url({ exp: -1 })}.sig` }],
    [
      "a JWT exp that overflows to Infinity in ms",
      { access_token: `${b64url({ alg: "none" })}.${b64url({ exp: 1e306 })}.sig` },
    ],
    ["expires_in digits that overflow to Infinity", { access_token: "a", expires_in: "9".repeat(400) }],
    ["expires_in that overflows once in ms", { access_token: "a", expires_in: 1e306 }],
    ["accessTokenExpires digits that overflow", { access_token: "a", accessTokenExpires: "9".repeat(400) }],
  ])("%s is malformed, not a session with an unusable expiry", (_, value) => {
    expect(parse(value, 1_700_000_000_000).kind).toBe("malformed");
  });

  it(`a well-formed response is always ok, with the expiry it states (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.integer({ min: 1, max: 365 * 24 * 3600 }),
        nowMs,
        fc.boolean(),
        (token, seconds, now, nested) => {
          const fields = { access_token: token, refresh_token: `r-${token}`, expires_in: seconds };
          const result = parse(nested ? { data: fields } : fields, now) as {
            kind: string;
            tokens?: { accessTokenExpires: number };
          };
          expect(result.kind).toBe("ok");
          expect(result.tokens!.accessTokenExpires).toBe(now + seconds * 1000);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
