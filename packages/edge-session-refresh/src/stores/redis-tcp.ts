/**
 * The table's entries for your own Redis over TCP: one server or Valkey (`REDIS_URL`), or a Redis Cluster
 * such as cluster-mode ElastiCache (`REDIS_CLUSTER_NODES`). This file reads their settings and describes
 * them; building them takes the Node runtime's TCP driver (StoreContext.tcpRedis, from src/stores/node),
 * which the Node adapter hands in. Without it (the edge) they are a configuration error that says so.
 */
import { configInvalid } from "../core/errors";
import type { LockStore } from "../core/refresh/lock-store";
import type { ChosenLimiters, SignInLimiterKit, StoreContext, StoreEntry } from "./entry";
import { isUrl, redactedUrl, type TcpRedisSettings } from "./settings";

const REDIS_URL_SCHEMES = ["redis:", "rediss:"];
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const CLUSTER_ONLY = ["REDIS_CLUSTER_TLS", "REDIS_USERNAME", "REDIS_PASSWORD"] as const;

function createTcp(setting: string, settings: TcpRedisSettings, { tcpRedis }: StoreContext): LockStore {
  if (tcpRedis === undefined) {
    throw configInvalid([
      {
        setting,
        message:
          `${setting} needs the Node runtime (Next's proxy.ts, \`npm run runtime:node\`, and the Node route handlers); ` +
          "the edge runtime cannot open TCP connections: on the edge use Upstash (UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN)",
      },
    ]);
  }
  return tcpRedis.lockStore(settings);
}

/** On the lock store's own connection; without the TCP driver (the edge, where nobody signs in), this isolate counts. */
function tcpLimiters(settings: TcpRedisSettings, { tcpRedis }: StoreContext, kit: SignInLimiterKit): ChosenLimiters {
  return tcpRedis === undefined ? kit.local() : kit.scripts(tcpRedis.scripts(settings));
}

export const redisStore = {
  settingNames: ["REDIS_URL"],
  label: "a Redis server (REDIS_URL)",
  configured: (read) => read("REDIS_URL") !== undefined,
  parse(read, problems) {
    const url = read("REDIS_URL") ?? "";
    if (!isUrl(url, REDIS_URL_SCHEMES))
      problems.push({
        setting: "REDIS_URL",
        message: `REDIS_URL must be a redis:// or rediss:// URL, got ${JSON.stringify(redactedUrl(url))}`,
      });
    return { kind: "redis", url };
  },
  worksOnVercel: false,
  create: (settings, context) => createTcp("REDIS_URL", settings, context),
  shared: true,
  unlockedWhenStoreFails: false,
  describe: (settings) => `[session] lock store: Redis over TCP at ${redactedUrl(settings.url)}`,
  signInLimiters: tcpLimiters,
} satisfies StoreEntry<"redis">;

export const redisClusterStore = {
  settingNames: ["REDIS_CLUSTER_NODES", ...CLUSTER_ONLY],
  label: "a Redis Cluster (REDIS_CLUSTER_NODES)",
  configured: (read) => read("REDIS_CLUSTER_NODES") !== undefined,
  parse(read, problems) {
    const text = read("REDIS_CLUSTER_NODES") ?? "";
    const tls = read("REDIS_CLUSTER_TLS");
    const username = read("REDIS_USERNAME");
    const password = read("REDIS_PASSWORD");
    const nodes = text
      .split(",")
      .map((node) => node.trim())
      .filter(Boolean);
    if (nodes.length === 0 || nodes.some((node) => !validHostPort(node))) {
      problems.push({
        setting: "REDIS_CLUSTER_NODES",
        message: `REDIS_CLUSTER_NODES must be comma-separated host:port seeds (e.g. 10.0.0.1:6379,10.0.0.2:6379), got ${JSON.stringify(text)}`,
      });
    }
    if (tls !== undefined && tls !== "1" && tls !== "0")
      problems.push({
        setting: "REDIS_CLUSTER_TLS",
        message: `REDIS_CLUSTER_TLS must be 1 or 0, got ${JSON.stringify(tls)}`,
      });
    if (password === undefined && username !== undefined)
      problems.push({ setting: "REDIS_PASSWORD", message: "REDIS_USERNAME is set but REDIS_PASSWORD is not" });
    return { kind: "redis-cluster", nodes, tls: tls === "1", username, password };
  },
  unused(read, problems) {
    if (read("REDIS_CLUSTER_NODES") !== undefined) return;
    const withUrl = read("REDIS_URL") !== undefined;
    for (const name of CLUSTER_ONLY) {
      if (read(name) !== undefined)
        problems.push({
          setting: name,
          message: `${name} is for REDIS_CLUSTER_NODES${withUrl ? "; with REDIS_URL, put credentials in the URL (rediss:// for TLS)" : ", which is not set"}`,
        });
    }
  },
  worksOnVercel: false,
  create: (settings, context) => createTcp("REDIS_CLUSTER_NODES", settings, context),
  shared: true,
  unlockedWhenStoreFails: false,
  describe: (settings) =>
    `[session] lock store: Redis Cluster (seeds ${settings.nodes.join(", ")}${settings.tls ? ", TLS" : ""})`,
  signInLimiters: tcpLimiters,
} satisfies StoreEntry<"redis-cluster">;

function validHostPort(node: string): boolean {
  const match = HOST_PORT.exec(node);
  const port = Number(match?.[2]);
  return match !== null && port >= 1 && port <= 65535;
}
