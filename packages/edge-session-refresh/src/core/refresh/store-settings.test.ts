/** Which store the settings name, and every way of naming it wrongly, as one table. */
import { describe, expect, it } from "vitest";
import { SessionError } from "../errors";
import { parseSettings, SETTING_NAMES } from "../settings";
import { parseStoreSettings, redactedUrl } from "./store-settings";

function parse(env: Record<string, string>) {
  const problems: string[] = [];
  const store = parseStoreSettings((name) => env[name]?.trim() || undefined, problems);
  return { store, problems };
}

describe("store settings", () => {
  it.each([
    [{}, { kind: "memory" }],
    [
      { UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t" },
      { kind: "upstash", url: "https://u.example", token: "t" },
    ],
    [{ REDIS_URL: "redis://10.0.0.5:6379" }, { kind: "redis", url: "redis://10.0.0.5:6379" }],
    [{ REDIS_URL: "rediss://default:pw@cache.example:6380/0" }, { kind: "redis", url: "rediss://default:pw@cache.example:6380/0" }],
    [
      { REDIS_CLUSTER_NODES: "10.0.0.1:7000, 10.0.0.2:7001" },
      { kind: "redis-cluster", nodes: ["10.0.0.1:7000", "10.0.0.2:7001"], tls: false, username: undefined, password: undefined },
    ],
    [
      { REDIS_CLUSTER_NODES: "cfg.abc.cache.amazonaws.com:6379", REDIS_CLUSTER_TLS: "1", REDIS_USERNAME: "app", REDIS_PASSWORD: "pw" },
      { kind: "redis-cluster", nodes: ["cfg.abc.cache.amazonaws.com:6379"], tls: true, username: "app", password: "pw" },
    ],
  ])("%j → %j", (env, expected) => {
    expect(parse(env)).toEqual({ store: expected, problems: [] });
  });

  it.each([
    [{ UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t", REDIS_URL: "redis://r:6379" }, /Upstash.*and a Redis server \(REDIS_URL\)/],
    [{ KV_REST_API_URL: "https://u.example", KV_REST_API_TOKEN: "t", REDIS_CLUSTER_NODES: "h:1" }, /Upstash.*and a Redis Cluster \(REDIS_CLUSTER_NODES\)/],
    [{ REDIS_URL: "redis://r:6379", REDIS_CLUSTER_NODES: "h:1" }, /REDIS_URL.*and.*REDIS_CLUSTER_NODES/],
    [{ REDIS_URL: "http://r:6379" }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ REDIS_URL: "not a url" }, /REDIS_URL must be/],
    [{ REDIS_CLUSTER_NODES: "h" }, /REDIS_CLUSTER_NODES must be comma-separated host:port/],
    [{ REDIS_CLUSTER_NODES: "h:1,h:99999" }, /REDIS_CLUSTER_NODES must be/],
    [{ REDIS_CLUSTER_NODES: "h:1", REDIS_CLUSTER_TLS: "yes" }, /REDIS_CLUSTER_TLS must be 1 or 0/],
    [{ REDIS_CLUSTER_NODES: "h:1", REDIS_USERNAME: "u" }, /REDIS_USERNAME is set but REDIS_PASSWORD is not/],
    [{ REDIS_URL: "redis://r:6379", REDIS_PASSWORD: "pw" }, /REDIS_PASSWORD is for REDIS_CLUSTER_NODES; with REDIS_URL, put credentials in the URL/],
    [{ REDIS_CLUSTER_TLS: "1" }, /REDIS_CLUSTER_TLS is for REDIS_CLUSTER_NODES, which is not set/],
  ])("%j is refused: %s", (env, message) => {
    const { problems } = parse(env);
    expect(problems.join("\n")).toMatch(message);
  });

  it("a password in a refused REDIS_URL is not repeated in the message", () => {
    const { problems } = parse({ REDIS_URL: "http://user:hunter2@r:6379" });
    expect(problems.join("\n")).not.toContain("hunter2");
    expect(redactedUrl("rediss://default:hunter2@cache:6380")).toBe("rediss://default:***@cache:6380");
  });

  it("parseSettings reports store problems with the rest, and knows every store setting by name", () => {
    expect(() => parseSettings({ REDIS_URL: "redis://r:6379", UPSTASH_REDIS_REST_URL: "https://u", UPSTASH_REDIS_REST_TOKEN: "t" })).toThrow(SessionError);
    for (const name of ["REDIS_URL", "REDIS_CLUSTER_NODES", "REDIS_CLUSTER_TLS", "REDIS_USERNAME", "REDIS_PASSWORD"]) expect(SETTING_NAMES).toContain(name);
  });
});
