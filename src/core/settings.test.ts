import { describe, expect, it } from "vitest";
import { isSessionError } from "./errors";
import { DEV_SECRET, MIN_SECRET_LENGTH, parseSettings, SETTING_NAMES } from "./settings";

describe("settings", () => {
  it("has the defaults docs/settings.md lists", () => {
    const settings = parseSettings({});
    expect(settings).toMatchObject({
      secrets: [DEV_SECRET],
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
        protocol: "json",
        rotation: "rotate",
        logoutPath: undefined,
        revocationPath: undefined,
        oauth: { id: undefined, secret: undefined, auth: "none", scope: undefined },
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

  const strong = "s".repeat(MIN_SECRET_LENGTH);
  const configInvalid = (env: Record<string, string>, nodeEnv?: string) => {
    try {
      parseSettings(env, { nodeEnv });
    } catch (error) {
      return isSessionError(error, "CONFIG_INVALID") ? error.message : `not CONFIG_INVALID: ${String(error)}`;
    }
    return null;
  };

  it.each([
    ["the development secret", { NEXTAUTH_SECRET: DEV_SECRET }, "development secret"],
    ["a short current secret", { NEXTAUTH_SECRET: "short-secret-123" }, "NEXTAUTH_SECRET is shorter"],
    ["a short previous secret", { NEXTAUTH_SECRET: strong, NEXTAUTH_SECRET_PREVIOUS: "old-and-short" }, "NEXTAUTH_SECRET_PREVIOUS"],
    ["the development secret as a previous one", { NEXTAUTH_SECRET: strong, NEXTAUTH_SECRET_PREVIOUS: DEV_SECRET }, "development secret"],
  ])("production refuses %s", (_label, env, named) => {
    expect(configInvalid(env, "production")).toContain(named);
    expect(configInvalid(env, "development")).toBeNull();
  });

  it("oauth2: token endpoint defaults, client authentication chosen from what is set", () => {
    const confidential = parseSettings({ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_ID: "app", BACKEND_CLIENT_SECRET: "secret" }).backend;
    expect(confidential).toMatchObject({ protocol: "oauth2", loginPath: "/oauth/token", refreshPath: "/oauth/token", oauth: { id: "app", secret: "secret", auth: "basic" } });
    expect(parseSettings({ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_ID: "spa" }).backend.oauth.auth).toBe("none");
    expect(parseSettings({ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_ID: "a", BACKEND_CLIENT_SECRET: "b", BACKEND_CLIENT_AUTH: "post" }).backend.oauth.auth).toBe("post");
  });

  it.each([
    [{ BACKEND_PROTOCOL: "soap" }, "BACKEND_PROTOCOL"],
    [{ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_AUTH: "basic", BACKEND_CLIENT_ID: "a" }, "BACKEND_CLIENT_AUTH=basic"],
    [{ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_AUTH: "jwt" }, "BACKEND_CLIENT_AUTH"],
    [{ BACKEND_REFRESH_TOKEN_ROTATION: "sometimes" }, "BACKEND_REFRESH_TOKEN_ROTATION"],
    [{ BACKEND_REVOCATION_PATH: "/oauth/revoke" }, "BACKEND_REVOCATION_PATH"],
    [{ BACKEND_PROTOCOL: "oauth2", BACKEND_LOGOUT_PATH: "/logout" }, "BACKEND_LOGOUT_PATH"],
    [{ BACKEND_LOGIN_PATH: "//evil.example/login" }, "BACKEND_LOGIN_PATH"],
    [{ SESSION_REFRESH_GRACE_SECONDS: "3600" }, "SESSION_REFRESH_GRACE_SECONDS"],
  ])("refuses %o, naming %s", (env, named) => {
    expect(configInvalid(env)).toContain(named);
  });

  it("SETTING_NAMES lists every variable the parser reads, and nothing else", () => {
    const read = new Set<string>();
    const env = new Proxy({} as Record<string, string | undefined>, {
      get(_target, name) {
        if (typeof name === "string") read.add(name);
        return undefined;
      },
    });
    parseSettings(env);
    // The baseline's acknowledgement is only read when the baseline is asked for in production.
    const reading = (values: Record<string, string>) =>
      new Proxy(values as Record<string, string | undefined>, {
        get(target, name) {
          if (typeof name === "string") read.add(name);
          return typeof name === "string" ? target[name] : undefined;
        },
      });
    expect(() => parseSettings(reading({ SESSION_UNLOCKED_BASELINE: "1" }), { nodeEnv: "production" })).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect([...read].sort()).toEqual([...SETTING_NAMES].sort());
  });
});
