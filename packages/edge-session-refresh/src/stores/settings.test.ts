/** Which store the settings name, and every way of naming it wrongly, as one table. */
import { describe, expect, it } from "vitest";
import { SessionError } from "../core/errors";
import { parseSettings, SETTING_NAMES } from "../core/settings";
import type { SettingProblem } from "../core/setting-problem";
import { redactedUrl } from "./settings";
import { parseStoreSettings } from "./table";

function parse(env: Record<string, string>) {
  const found: SettingProblem[] = [];
  const store = parseStoreSettings((name) => env[name]?.trim() || undefined, found);
  return {
    store,
    problems: found.map((problem) => problem.message),
    settings: found.map((problem) => problem.setting),
  };
}

describe("store settings", () => {
  it.each([
    [{}, { kind: "memory" }],
    [
      { UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t" },
      { kind: "upstash", url: "https://u.example", token: "t" },
    ],
    [{ REDIS_URL: "redis://10.0.0.5:6379" }, { kind: "redis", url: "redis://10.0.0.5:6379" }],
    [
      { REDIS_URL: "rediss://default:pw@cache.example:6380/0" },
      { kind: "redis", url: "rediss://default:pw@cache.example:6380/0" },
    ],
    [
      { REDIS_CLUSTER_NODES: "10.0.0.1:7000, 10.0.0.2:7001" },
      {
        kind: "redis-cluster",
        nodes: ["10.0.0.1:7000", "10.0.0.2:7001"],
        tls: false,
        username: undefined,
        password: undefined,
      },
    ],
    [
      {
        REDIS_CLUSTER_NODES: "cfg.abc.cache.amazonaws.com:6379",
        REDIS_CLUSTER_TLS: "1",
        REDIS_USERNAME: "app",
        REDIS_PASSWORD: "pw",
      },
      {
        kind: "redis-cluster",
        nodes: ["cfg.abc.cache.amazonaws.com:6379"],
        tls: true,
        username: "app",
        password: "pw",
      },
    ],
  ])("%j → %j", (env, expected) => {
    expect(parse(env)).toEqual({ store: expected, problems: [], settings: [] });
  });

  it.each([
    [
      { UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t", REDIS_URL: "redis://r:6379" },
      /Upstash.*and a Redis server \(REDIS_URL\)/,
      "SESSION_LOCK_STORE",
    ],
    [
      { KV_REST_API_URL: "https://u.example", KV_REST_API_TOKEN: "t", REDIS_CLUSTER_NODES: "h:1" },
      /Upstash.*and a Redis Cluster \(REDIS_CLUSTER_NODES\)/,
      "SESSION_LOCK_STORE",
    ],
    [
      { REDIS_URL: "redis://r:6379", REDIS_CLUSTER_NODES: "h:1" },
      /REDIS_URL.*and.*REDIS_CLUSTER_NODES/,
      "SESSION_LOCK_STORE",
    ],
    [{ REDIS_URL: "http://r:6379" }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/, "REDIS_URL"],
    [{ REDIS_URL: "not a url" }, /REDIS_URL must be/, "REDIS_URL"],
    [{ REDIS_CLUSTER_NODES: "h" }, /REDIS_CLUSTER_NODES must be comma-separated host:port/, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "h:1,h:99999" }, /REDIS_CLUSTER_NODES must be/, "REDIS_CLUSTER_NODES"],
    [{ REDIS_CLUSTER_NODES: "h:1", REDIS_CLUSTER_TLS: "yes" }, /REDIS_CLUSTER_TLS must be 1 or 0/, "REDIS_CLUSTER_TLS"],
    [
      { REDIS_CLUSTER_NODES: "h:1", REDIS_USERNAME: "u" },
      /REDIS_USERNAME is set but REDIS_PASSWORD is not/,
      "REDIS_PASSWORD",
    ],
    [
      { REDIS_URL: "redis://r:6379", REDIS_PASSWORD: "pw" },
      /REDIS_PASSWORD is for REDIS_CLUSTER_NODES; with REDIS_URL, put credentials in the URL/,
      "REDIS_PASSWORD",
    ],
    [{ REDIS_CLUSTER_TLS: "1" }, /REDIS_CLUSTER_TLS is for REDIS_CLUSTER_NODES, which is not set/, "REDIS_CLUSTER_TLS"],
  ])("%j is refused: %s, naming %s", (env, message, setting) => {
    const { problems, settings } = parse(env);
    expect(problems.join("\n")).toMatch(message);
    expect(settings).toContain(setting);
  });

  it("a password in a refused REDIS_URL is not repeated in the message", () => {
    const { problems } = parse({ REDIS_URL: "http://user:hunter2@r:6379" });
    expect(problems.join("\n")).not.toContain("hunter2");
    expect(redactedUrl("rediss://default:hunter2@cache:6380")).toBe("rediss://default:***@cache:6380");
  });

  it("parseSettings reports store problems with the rest, and knows every store setting by name", () => {
    expect(() =>
      parseSettings({
        REDIS_URL: "redis://r:6379",
        UPSTASH_REDIS_REST_URL: "https://u",
        UPSTASH_REDIS_REST_TOKEN: "t",
      }),
    ).toThrow(SessionError);
    for (const name of ["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_CLUSTER_TLS", "REDIS_USERNAME", "REDIS_PASSWORD"])
      expect(SETTING_NAMES).toContain(name);
  });

  // Vercel's Upstash integration, exactly as injected: one database, over REST and over TCP.
  const HOST = "fine-lark-12345.upstash.io";
  const VERCEL_UPSTASH = {
    KV_REST_API_URL: `https://${HOST}`,
    KV_REST_API_TOKEN: "AXXXrest-token",
    KV_REST_API_READ_ONLY_TOKEN: "AnXXread-only-token",
    KV_URL: `rediss://default:AXXXrest-token@${HOST}:6379`,
    REDIS_URL: `rediss://default:AXXXrest-token@${HOST}:6379`,
  };

  it("Vercel's Upstash integration as injected picks Upstash, with no further setting, and never the read-only token", () => {
    expect(parse(VERCEL_UPSTASH)).toEqual({
      store: { kind: "upstash", url: `https://${HOST}`, token: "AXXXrest-token" },
      problems: [],
      settings: [],
    });
    expect(parse({ ...VERCEL_UPSTASH, VERCEL: "1", VERCEL_ENV: "production" }).store.kind).toBe("upstash");
  });

  it.each([
    [
      "REDIS_URL equal to KV_URL, on another host name",
      {
        ...VERCEL_UPSTASH,
        KV_URL: "rediss://default:t@tcp-alias.example:6379",
        REDIS_URL: "rediss://default:t@tcp-alias.example:6379",
      },
    ],
    [
      "REDIS_URL on the REST URL's host, without KV_URL",
      { ...VERCEL_UPSTASH, KV_URL: "", REDIS_URL: `rediss://default:other@${HOST.toUpperCase()}:6380` },
    ],
    [
      "Upstash's own names, REDIS_URL on the same host",
      {
        UPSTASH_REDIS_REST_URL: `https://${HOST}`,
        UPSTASH_REDIS_REST_TOKEN: "t",
        REDIS_URL: `rediss://default:t@${HOST}:6379`,
      },
    ],
  ])("the same database is recognised: %s", (_case, env) => {
    expect(parse(env)).toMatchObject({ store: { kind: "upstash" }, problems: [] });
  });

  it("parseSettings takes Vercel's integration as injected, on the edge and on Node alike (the settings do not depend on the runtime)", () => {
    const settings = parseSettings(
      { ...VERCEL_UPSTASH, NEXTAUTH_SECRET: "x".repeat(40), BACKEND_URL: "https://api.example" },
      { nodeEnv: "production" },
    );
    expect(settings.store).toEqual({ kind: "upstash", url: `https://${HOST}`, token: "AXXXrest-token" });
  });

  const OWN_CACHE = { ...VERCEL_UPSTASH, REDIS_URL: "redis://default:pw@cache.render.example:6379" };

  it("two different stores (an app's own REDIS_URL cache, then Upstash) without SESSION_LOCK_STORE: a problem naming the setting", () => {
    const { store, settings, problems } = parse(OWN_CACHE);
    expect(store.kind).toBe("memory");
    expect(settings).toEqual(["SESSION_LOCK_STORE"]);
    expect(problems.join("\n")).toMatch(
      /REDIS_URL[\s\S]*UPSTASH_REDIS_REST_URL|UPSTASH_REDIS_REST_URL[\s\S]*REDIS_URL/,
    );
  });

  it.each([
    ["upstash", { kind: "upstash", url: `https://${HOST}`, token: "AXXXrest-token" }],
    ["redis", { kind: "redis", url: "redis://default:pw@cache.render.example:6379" }],
    ["memory", { kind: "memory" }],
  ])("SESSION_LOCK_STORE=%s picks that store when two are configured", (choice, expected) => {
    expect(parse({ ...OWN_CACHE, SESSION_LOCK_STORE: choice })).toEqual({
      store: expected,
      problems: [],
      settings: [],
    });
  });

  it("SESSION_LOCK_STORE=redis takes the integration's own REDIS_URL when asked to (the same database over TCP)", () => {
    expect(parse({ ...VERCEL_UPSTASH, SESSION_LOCK_STORE: "redis" }).store).toEqual({
      kind: "redis",
      url: VERCEL_UPSTASH.REDIS_URL,
    });
  });

  it.each([
    [{ SESSION_LOCK_STORE: "valkey" }],
    [{ SESSION_LOCK_STORE: "redis-cluster", ...VERCEL_UPSTASH }],
    [{ SESSION_LOCK_STORE: "upstash", REDIS_URL: "redis://r:6379" }],
  ])("SESSION_LOCK_STORE naming an unknown or unconfigured store is a problem naming the setting: %j", (env) => {
    expect(parse(env)).toMatchObject({ store: { kind: "memory" }, settings: ["SESSION_LOCK_STORE"] });
  });

  it("every store setting, SESSION_LOCK_STORE and KV_URL included, is in SETTING_NAMES; the read-only token is not read", () => {
    for (const name of [
      "SESSION_LOCK_STORE",
      "KV_URL",
      "KV_REST_API_URL",
      "KV_REST_API_TOKEN",
      "UPSTASH_REDIS_REST_URL",
    ])
      expect(SETTING_NAMES).toContain(name);
    expect(SETTING_NAMES).not.toContain("KV_REST_API_READ_ONLY_TOKEN");
  });
});
