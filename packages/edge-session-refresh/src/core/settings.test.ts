import { describe, expect, it } from "vitest";
import { isSessionError, type SessionError } from "./errors";
import { createSessionRuntime } from "./runtime";
import { DEV_SECRET, MIN_SECRET_LENGTH, parseSettings, parseSettingsStoreApart, SETTING_NAMES } from "./settings";

/** The settings a CONFIG_INVALID names, or null when the environment parses. */
function problemSettings(env: Record<string, string | undefined>, nodeEnv?: string): string[] | null {
  try {
    parseSettings(env, { nodeEnv });
    return null;
  } catch (error) {
    expect(isSessionError(error, "CONFIG_INVALID"), String(error)).toBe(true);
    return (error as SessionError).problems.map((problem) => problem.setting);
  }
}

describe("settings", () => {
  it("has the defaults README.md lists", () => {
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
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.backend)).toBe(true);
  });

  it("reads previous secrets for rotation and https for secure cookies", () => {
    const settings = parseSettings({
      NEXTAUTH_SECRET: "now-secret-0123456789",
      NEXTAUTH_SECRET_PREVIOUS: " old-1 ,old-2,,now-secret-0123456789",
      NEXTAUTH_URL: "https://app.example",
    });
    expect(settings.secrets).toEqual(["now-secret-0123456789", "old-1", "old-2"]);
    expect(settings.secureCookies).toBe(true);
  });

  it("accepts Vercel's KV names for the store, and VERCEL_URL for https", () => {
    const settings = parseSettings({
      KV_REST_API_URL: "https://kv.example",
      KV_REST_API_TOKEN: "t",
      VERCEL_URL: "my-app.vercel.app",
    });
    expect(settings.store).toEqual({ kind: "upstash", url: "https://kv.example", token: "t" });
    expect(settings.secureCookies).toBe(true);
  });

  it("reports every problem at once, with one error code, each naming its setting", () => {
    let caught: unknown;
    try {
      parseSettings(
        {
          BACKEND_URL: "not a url",
          BACKEND_TIMEOUT_MS: "soon",
          BACKEND_LOGIN_PATH: "api/auth",
          UPSTASH_REDIS_REST_URL: "https://x",
          SESSION_REFRESH_SKEW_SECONDS: "-1",
          SESSION_UNLOCKED_BASELINE: "1",
        },
        { nodeEnv: "production" },
      );
    } catch (error) {
      caught = error;
    }
    expect(isSessionError(caught, "CONFIG_INVALID")).toBe(true);
    const { problems, message } = caught as SessionError;
    const named = [
      "NEXTAUTH_SECRET",
      "BACKEND_URL",
      "BACKEND_TIMEOUT_MS",
      "BACKEND_LOGIN_PATH",
      "UPSTASH_REDIS_REST_TOKEN", // the URL is set: the missing half is named
      "SESSION_REFRESH_SKEW_SECONDS",
      "SESSION_UNLOCKED_BASELINE",
    ];
    expect(problems.map((problem) => problem.setting).sort()).toEqual([...named].sort());
    // One message lists every problem (STYLE principle 3).
    for (const problem of problems) expect(message).toContain(problem.message);
  });

  it("the backend proxy's settings are read and checked with the rest, in the same message", () => {
    expect(parseSettings({}).backendProxy).toEqual({
      allow: ["/api/"],
      deniedPaths: ["/api/auth", "/api/auth/refresh-token"],
      maxRequestBytes: 1024 * 1024,
      maxResponseBytes: 10 * 1024 * 1024,
    });
    expect(
      problemSettings({
        BACKEND_URL: "not a url",
        BACKEND_PROXY_ALLOW: "api/",
        BACKEND_PROXY_MAX_REQUEST_BYTES: "0",
        BACKEND_PROXY_MAX_RESPONSE_BYTES: "lots",
      }),
    ).toEqual([
      "BACKEND_URL",
      "BACKEND_PROXY_ALLOW",
      "BACKEND_PROXY_MAX_REQUEST_BYTES",
      "BACKEND_PROXY_MAX_RESPONSE_BYTES",
    ]);
  });

  it("each backend protocol brings its default paths and its own checks", () => {
    expect(parseSettings({ BACKEND_PROTOCOL: "oauth2" }).backend).toMatchObject({
      loginPath: "/oauth/token",
      refreshPath: "/oauth/token",
    });
    expect(problemSettings({ BACKEND_PROTOCOL: "oauth2", BACKEND_LOGOUT_PATH: "/logout" })).toEqual([
      "BACKEND_LOGOUT_PATH",
    ]);
    expect(problemSettings({ BACKEND_REVOCATION_PATH: "/revoke" })).toEqual(["BACKEND_REVOCATION_PATH"]);
    expect(problemSettings({ BACKEND_PROTOCOL: "soap" })).toEqual(["BACKEND_PROTOCOL"]);
  });

  it("the unlocked baseline is refused in production unless explicitly acknowledged", () => {
    expect(() =>
      parseSettings(
        { NEXTAUTH_SECRET: "s".repeat(32), BACKEND_URL: "https://api.example", SESSION_UNLOCKED_BASELINE: "1" },
        { nodeEnv: "production" },
      ),
    ).toThrow(expect.objectContaining({ code: "CONFIG_INVALID" }));
    expect(
      parseSettings(
        {
          NEXTAUTH_SECRET: "s".repeat(32),
          BACKEND_URL: "https://api.example",
          SESSION_UNLOCKED_BASELINE: "1",
          SESSION_UNLOCKED_BASELINE_I_UNDERSTAND: "1",
        },
        { nodeEnv: "production" },
      ).unlockedBaseline,
    ).toBe(true);
  });

  const strong = "s".repeat(MIN_SECRET_LENGTH);
  const backend = { BACKEND_URL: "https://api.example" };

  it.each([
    ["the development secret", { NEXTAUTH_SECRET: DEV_SECRET }, ["NEXTAUTH_SECRET"]],
    ["a short current secret", { NEXTAUTH_SECRET: "short-secret-123" }, ["NEXTAUTH_SECRET"]],
    [
      "a short previous secret",
      { NEXTAUTH_SECRET: strong, NEXTAUTH_SECRET_PREVIOUS: "old-and-short" },
      ["NEXTAUTH_SECRET_PREVIOUS"],
    ],
    [
      "the development secret as a previous one",
      { NEXTAUTH_SECRET: strong, NEXTAUTH_SECRET_PREVIOUS: DEV_SECRET },
      ["NEXTAUTH_SECRET_PREVIOUS"],
    ],
    ["a missing secret", {}, ["NEXTAUTH_SECRET"]],
  ])("production refuses %s", (_label, env, named) => {
    expect(problemSettings({ ...backend, ...env }, "production")).toEqual(named);
    expect(problemSettings({ ...backend, ...env }, "development")).toBeNull();
  });

  it("production requires BACKEND_URL: it has no safe default there (issue 23)", () => {
    expect(problemSettings({ NEXTAUTH_SECRET: strong }, "production")).toEqual(["BACKEND_URL"]);
    expect(problemSettings({ NEXTAUTH_SECRET: strong }, "development")).toBeNull();
    expect(problemSettings({ NEXTAUTH_SECRET: strong }, "test")).toBeNull();
    expect(parseSettings({ NEXTAUTH_SECRET: strong, ...backend }, { nodeEnv: "production" }).backend.baseUrl).toBe(
      "https://api.example",
    );
    // Both at once: an operator fixes them in one go.
    expect(problemSettings({}, "production")).toEqual(["NEXTAUTH_SECRET", "BACKEND_URL"]);
  });

  it("SESSION_STORE_ANNOUNCED is read with the others", () => {
    expect(parseSettings({}).storeAnnounced).toBe(false);
    expect(parseSettings({ SESSION_STORE_ANNOUNCED: "1" }).storeAnnounced).toBe(true);
    expect(problemSettings({ SESSION_STORE_ANNOUNCED: "yes" })).toEqual(["SESSION_STORE_ANNOUNCED"]);
  });

  it("oauth2: token endpoint defaults, client authentication chosen from what is set", () => {
    const confidential = parseSettings({
      BACKEND_PROTOCOL: "oauth2",
      BACKEND_CLIENT_ID: "app",
      BACKEND_CLIENT_SECRET: "secret",
    }).backend;
    expect(confidential).toMatchObject({
      protocol: "oauth2",
      loginPath: "/oauth/token",
      refreshPath: "/oauth/token",
      oauth: { id: "app", secret: "secret", auth: "basic" },
    });
    expect(parseSettings({ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_ID: "spa" }).backend.oauth.auth).toBe("none");
    expect(
      parseSettings({
        BACKEND_PROTOCOL: "oauth2",
        BACKEND_CLIENT_ID: "a",
        BACKEND_CLIENT_SECRET: "b",
        BACKEND_CLIENT_AUTH: "post",
      }).backend.oauth.auth,
    ).toBe("post");
  });

  it.each([
    [{ BACKEND_PROTOCOL: "soap" }, "BACKEND_PROTOCOL"],
    [{ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_AUTH: "basic", BACKEND_CLIENT_ID: "a" }, "BACKEND_CLIENT_SECRET"],
    [{ BACKEND_PROTOCOL: "oauth2", BACKEND_CLIENT_AUTH: "jwt" }, "BACKEND_CLIENT_AUTH"],
    [{ BACKEND_REFRESH_TOKEN_ROTATION: "sometimes" }, "BACKEND_REFRESH_TOKEN_ROTATION"],
    [{ BACKEND_REVOCATION_PATH: "/oauth/revoke" }, "BACKEND_REVOCATION_PATH"],
    [{ BACKEND_PROTOCOL: "oauth2", BACKEND_LOGOUT_PATH: "/logout" }, "BACKEND_LOGOUT_PATH"],
    [{ BACKEND_LOGIN_PATH: "//evil.example/login" }, "BACKEND_LOGIN_PATH"],
    [{ SESSION_REFRESH_GRACE_SECONDS: "3600" }, "SESSION_REFRESH_GRACE_SECONDS"],
  ])("refuses %o, naming %s", (env, named) => {
    expect(problemSettings(env)).toEqual([named]);
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
    expect(() => parseSettings(reading({ SESSION_UNLOCKED_BASELINE: "1" }), { nodeEnv: "production" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
    // VERCEL_ENV only matters on Vercel.
    expect(() => parseSettings(reading({ VERCEL: "1" }), { nodeEnv: "production" })).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
    expect([...read].sort()).toEqual([...SETTING_NAMES].sort());
  });

  describe("the lock store in production", () => {
    const secret = { NEXTAUTH_SECRET: "s".repeat(32), BACKEND_URL: "https://api.example" };
    /** Which of the Upstash names a missing store is reported under is the store block's choice. */
    const upstash = expect.stringMatching(/^(UPSTASH_REDIS_REST_URL|KV_REST_API_URL|SESSION_LOCK_STORE)$/);

    it("on Vercel, no Upstash settings is a configuration error that says what to set, reported with the others", () => {
      expect(problemSettings({ ...secret, VERCEL: "1", VERCEL_ENV: "production" }, "production")).toEqual([upstash]);
      // Preview deployments too, and whatever NODE_ENV says.
      expect(problemSettings({ ...secret, VERCEL: "1", VERCEL_ENV: "preview" })).toEqual([upstash]);
      // One error with every problem: the missing secret and backend as well.
      expect(problemSettings({ VERCEL: "1" }, "production")).toEqual(["NEXTAUTH_SECRET", "BACKEND_URL", upstash]);
    });

    it("on Vercel, either pair of Upstash names is enough; off Vercel and under `vercel dev` the memory store is allowed", () => {
      expect(
        parseSettings(
          { ...secret, VERCEL: "1", UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t" },
          { nodeEnv: "production" },
        ).store.kind,
      ).toBe("upstash");
      expect(
        parseSettings(
          { ...secret, VERCEL: "1", KV_REST_API_URL: "https://kv.example", KV_REST_API_TOKEN: "t" },
          { nodeEnv: "production" },
        ).store.kind,
      ).toBe("upstash");
      expect(parseSettings({ ...secret }, { nodeEnv: "production" }).store.kind).toBe("memory");
      expect(parseSettings({ VERCEL: "1", VERCEL_ENV: "development" }, { nodeEnv: "development" }).store.kind).toBe(
        "memory",
      );
      expect(parseSettings({}, { nodeEnv: "development" }).store.kind).toBe("memory");
      // Half a configuration stays the existing, more precise error, not a second one.
      expect(problemSettings({ ...secret, VERCEL: "1", KV_REST_API_URL: "https://kv.example" }, "production")).toEqual([
        "UPSTASH_REDIS_REST_TOKEN",
      ]);
    });

    it("elsewhere in production the in-memory store is a warning, said once per runtime; in development a plain notice", () => {
      const production: string[] = [];
      createSessionRuntime(parseSettings({ ...secret }, { nodeEnv: "production" }), {
        production: true,
        log: (message) => production.push(message),
      });
      expect(production).toHaveLength(1);
      expect(production[0]).toMatch(/WARNING/);
      expect(production[0]).toMatch(/production/);
      expect(production[0]).toContain("UPSTASH_REDIS_REST_URL");

      const development: string[] = [];
      createSessionRuntime(parseSettings({}), { log: (message) => development.push(message) });
      expect(development).toHaveLength(1);
      expect(development[0]).not.toMatch(/WARNING/);
      expect(development[0]).toContain("in-memory");

      const upstash: string[] = [];
      createSessionRuntime(
        parseSettings(
          { ...secret, UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t" },
          { nodeEnv: "production" },
        ),
        {
          production: true,
          log: (message) => upstash.push(message),
          onEvent: () => {},
        },
      );
      expect(upstash).toHaveLength(1);
      expect(upstash[0]).not.toMatch(/WARNING|in-memory/);
    });
  });
});

describe("parseSettingsStoreApart: a lock-store problem alone keeps the rest usable", () => {
  const twoStores = {
    UPSTASH_REDIS_REST_URL: "https://one.upstash.io",
    UPSTASH_REDIS_REST_TOKEN: "token",
    REDIS_URL: "redis://cache.internal:6379",
  };

  it("returns the settings and the store's error, which parseSettings throws", () => {
    const { settings, storeError } = parseSettingsStoreApart(twoStores);
    expect(settings.store).toEqual({ kind: "memory" });
    expect(storeError?.code).toBe("CONFIG_INVALID");
    expect(storeError?.problems.map((problem) => problem.setting)).toEqual(["SESSION_LOCK_STORE"]);
    expect(() => parseSettings(twoStores)).toThrowError(storeError!.message);
  });

  it("throws every problem at once, in reading order, when another setting is bad too", () => {
    let thrown: unknown;
    try {
      parseSettingsStoreApart({ ...twoStores, SESSION_REFRESH_SKEW_SECONDS: "soon" });
    } catch (error) {
      thrown = error;
    }
    expect(isSessionError(thrown, "CONFIG_INVALID")).toBe(true);
    expect((thrown as SessionError).problems.map((problem) => problem.setting)).toEqual([
      "SESSION_LOCK_STORE",
      "SESSION_REFRESH_SKEW_SECONDS",
    ]);
  });

  it("a runtime built with the store's error refuses every refresh with it, before any store is asked", async () => {
    const { settings, storeError } = parseSettingsStoreApart(twoStores);
    const runtime = createSessionRuntime(settings, { storeError, log: () => {}, onEvent: () => {} });
    const due = { accessToken: "a", refreshToken: "r", accessTokenExpires: Date.now() - 1000 };
    await expect(runtime.gate.refreshClaims(due)).rejects.toBe(storeError);
    await expect(runtime.store.ping()).rejects.toBe(storeError);
    const fresh = { ...due, accessTokenExpires: Date.now() + 3_600_000 };
    expect((await runtime.gate.refreshClaims(fresh)).outcome).toBe("valid");
  });
});
