import { describe, expect, it } from "vitest";
import { isSessionError } from "./errors";
import { DEV_SECRET, parseSettings } from "./settings";

describe("settings", () => {
  it("has the defaults CONTRACT.md lists", () => {
    const settings = parseSettings({});
    expect(settings).toMatchObject({
      secrets: [DEV_SECRET],
      usingDevSecret: true,
      appUrl: "http://localhost:3000",
      secureCookies: false,
      store: { kind: "memory" },
      refreshSkewMs: 30_000,
      refreshGraceMs: 30_000,
      unlockedBaseline: false,
      backend: {
        baseUrl: "http://127.0.0.1:4000",
        loginPath: "/api/auth",
        refreshPath: "/api/auth/refresh-token",
        profilePath: "/api/me",
        usernameField: "email",
        passwordField: "password",
        refreshTokenField: "refreshToken",
        timeoutMs: 5000,
      },
    });
    expect(Object.isFrozen(settings) && Object.isFrozen(settings.backend)).toBe(true);
  });

  it("reads previous secrets for rotation and https for secure cookies", () => {
    const settings = parseSettings({ NEXTAUTH_SECRET: "now-secret-0123456789", NEXTAUTH_SECRET_PREVIOUS: " old-1 ,old-2,,now-secret-0123456789", NEXTAUTH_URL: "https://app.example" });
    expect(settings.secrets).toEqual(["now-secret-0123456789", "old-1", "old-2"]);
    expect(settings.secureCookies).toBe(true);
  });

  it("accepts Vercel's KV names for the store, and VERCEL_URL for https", () => {
    const settings = parseSettings({ KV_REST_API_URL: "https://kv.example", KV_REST_API_TOKEN: "t", VERCEL_URL: "my-app.vercel.app" });
    expect(settings.store).toEqual({ kind: "upstash", url: "https://kv.example", token: "t" });
    expect(settings.secureCookies).toBe(true);
  });

  it("reports every problem at once, with one error code", () => {
    let caught: unknown;
    try {
      parseSettings(
        { BACKEND_URL: "not a url", BACKEND_TIMEOUT_MS: "soon", BACKEND_LOGIN_PATH: "api/auth", UPSTASH_REDIS_REST_URL: "https://x", SESSION_REFRESH_SKEW_SECONDS: "-1", SESSION_UNLOCKED_BASELINE: "1" },
        { nodeEnv: "production" },
      );
    } catch (error) {
      caught = error;
    }
    expect(isSessionError(caught, "CONFIG_INVALID")).toBe(true);
    const message = (caught as Error).message;
    for (const name of ["NEXTAUTH_SECRET", "BACKEND_URL", "BACKEND_TIMEOUT_MS", "BACKEND_LOGIN_PATH", "UPSTASH_REDIS_REST_TOKEN", "SESSION_REFRESH_SKEW_SECONDS", "SESSION_UNLOCKED_BASELINE"]) {
      expect(message).toContain(name);
    }
  });

  it("the unlocked baseline is refused in production unless explicitly acknowledged", () => {
    expect(() => parseSettings({ NEXTAUTH_SECRET: "s".repeat(32), SESSION_UNLOCKED_BASELINE: "1" }, { nodeEnv: "production" })).toThrow();
    expect(parseSettings({ NEXTAUTH_SECRET: "s".repeat(32), SESSION_UNLOCKED_BASELINE: "1", SESSION_UNLOCKED_BASELINE_I_UNDERSTAND: "1" }, { nodeEnv: "production" }).unlockedBaseline).toBe(true);
  });
});
