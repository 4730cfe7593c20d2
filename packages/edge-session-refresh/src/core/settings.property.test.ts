/**
 * parseSettings over any environment record: a deeply frozen Settings, or a SessionError with code
 * CONFIG_INVALID — nothing else escapes. 10 000 generated environments per property.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isSessionError } from "./errors";
import { DEV_SECRET, MIN_SECRET_LENGTH, parseSettings, SETTING_NAMES, type Settings } from "./settings";

const RUNS = 10_000;
const NAMES = SETTING_NAMES;

/** Values that are valid for some setting, nearly valid, or nothing like it. */
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.constantFrom(
    "",
    " ",
    "1",
    "0",
    "-1",
    "30",
    "1e3",
    "0x10",
    "3600.5",
    "Infinity",
    "NaN",
    "120000",
    "120001",
    "99999999999999999999",
  ),
  fc.constantFrom(
    "/api",
    "api",
    "//x",
    "http://localhost:3000",
    "https://app.example.com",
    "ftp://x",
    "http://",
    "https://[::1]:99999",
    "javascript:alert(1)",
    "a,b,,c",
  ),
  fc.webUrl(),
  fc.constant(undefined),
);
const env = fc.oneof(
  fc.dictionary(fc.constantFrom(...NAMES), value),
  fc.dictionary(
    fc.oneof(
      fc.constantFrom(...NAMES),
      fc.string({ maxLength: 12 }),
      fc.constantFrom("__proto__", "constructor", "toString"),
    ),
    value,
  ),
);
const nodeEnv = fc.constantFrom(undefined, "production", "development", "test", "");

function expectDeeplyFrozen(settings: Settings): void {
  expect(Object.isFrozen(settings)).toBe(true);
  expect(Object.isFrozen(settings.secrets)).toBe(true);
  expect(Object.isFrozen(settings.backend)).toBe(true);
  expect(Object.isFrozen(settings.store)).toBe(true);
}

describe("settings parser properties", () => {
  it(`any environment gives frozen Settings or CONFIG_INVALID, nothing else (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(env, nodeEnv, (record, mode) => {
        let settings: Settings;
        try {
          settings = parseSettings(record, { nodeEnv: mode });
        } catch (error) {
          expect(isSessionError(error, "CONFIG_INVALID"), String(error)).toBe(true);
          return;
        }
        expectDeeplyFrozen(settings);
        expect(settings.secrets.length).toBeGreaterThan(0);
        expect(settings.secrets.every((secret) => typeof secret === "string" && secret.length > 0)).toBe(true);
        expect(Number.isInteger(settings.sessionMaxAgeSeconds) && settings.sessionMaxAgeSeconds > 0).toBe(true);
        expect(Number.isInteger(settings.backend.timeoutMs) && settings.backend.timeoutMs > 0).toBe(true);
        expect(Number.isFinite(settings.refreshSkewMs) && settings.refreshSkewMs >= 0).toBe(true);
        expect(Number.isFinite(settings.refreshGraceMs) && settings.refreshGraceMs > 0).toBe(true);
        expect(settings.secureCookies).toBe(settings.appUrl.startsWith("https://"));
        if (mode === "production") {
          expect(settings.secrets).not.toContain(DEV_SECRET);
          expect(settings.secrets.filter((secret) => secret.length < MIN_SECRET_LENGTH)).toEqual([]);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it(`in production, a missing or short secret is always CONFIG_INVALID (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...NAMES), value),
        fc.string({ maxLength: MIN_SECRET_LENGTH - 1 }),
        (record, short) => {
          const withShort = { ...record, NEXTAUTH_SECRET: short };
          expect(() => parseSettings(withShort, { nodeEnv: "production" })).toThrow(
            expect.objectContaining({ code: "CONFIG_INVALID" }),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });
});
