/**
 * The Upstash lock store against a real Redis behind the REST bridge, with the bridge's injected faults
 * for what a local Redis cannot be made to show (Upstash's 401, 429, 5xx pages): each failure surfaces as
 * its own STORE_* code, which is what the coordinator decides on.
 */
import { describe, expect, it } from "vitest";
import type { BridgeFault, RedisRestBridge } from "../../../../dev/redis-rest/bridge";
import { bridgedRedisForFile } from "../../../../test-support/bridged-redis";
import type { SessionErrorCode } from "../core/errors";
import { keyNames, KEY_PREFIX } from "./redis-scripts";
import { createUpstashLockStore, STORE_REST_OPTIONS, type LockScriptClient, type UpstashConnection } from "./upstash";
import { createUpstashClient } from "./upstash-client";
import { createUpstashRestClient } from "./upstash-rest";

const TOKEN = "upstash-store-test-token";
const servers = bridgedRedisForFile({ token: TOKEN, keyPrefix: KEY_PREFIX });

/** The table's transport, and @upstash/redis's client (which store authors may hand the store): both classified. */
const CLIENTS: Array<[string, (connection: UpstashConnection) => LockScriptClient]> = [
  ["the package's REST transport", (connection) => createUpstashRestClient(connection, STORE_REST_OPTIONS)],
  ["@upstash/redis", createUpstashClient],
];
const store = (token = TOKEN, client = CLIENTS[0]![1]) =>
  createUpstashLockStore(client({ url: servers.bridge.url, token }));
let serial = 0;
const fresh = () => keyNames(`upstash-store-test-${process.pid}-${++serial}`);

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "no error";
  } catch (error) {
    return (error as { code?: string }).code ?? `uncoded ${String(error)}`;
  }
}

describe.each(CLIENTS)("each store failure has its own code (%s)", (_name, client) => {
  const faults: Array<[BridgeFault, Parameters<RedisRestBridge["setFault"]>[1], SessionErrorCode]> = [
    ["unauthorized", undefined, "STORE_UNAUTHORIZED"],
    ["rate-limited", undefined, "STORE_RATE_LIMITED"],
    ["server-error", { status: 500 }, "STORE_SERVER_ERROR"],
    ["server-error", { status: 502 }, "STORE_SERVER_ERROR"],
    ["error-reply", undefined, "STORE_PROTOCOL"],
    ["hang", undefined, "STORE_TIMEOUT"],
    ["refuse", undefined, "STORE_UNREACHABLE"],
  ];
  it.each(faults)("%s %o → %s", async (fault, options, code) => {
    const lockStore = store(TOKEN, client);
    await lockStore.ping(); // scripts and connection warm
    await servers.bridge.setFault(fault, options);
    expect(await codeOf(lockStore.claim(fresh(), "owner", 5_000))).toBe(code);
  });

  it("a wrong token is STORE_UNAUTHORIZED from the real bridge, at the first command (ping)", async () => {
    expect(await codeOf(store("not-the-token", client).ping())).toBe("STORE_UNAUTHORIZED");
  });

  it("a settle that fails after its claim succeeded leaves the lock held for its owner only", async () => {
    const lockStore = store(TOKEN, client);
    const keys = fresh();
    expect(await lockStore.claim(keys, "leader", 5_000)).toEqual({ kind: "leader" });
    await servers.bridge.setFault("server-error", { requests: 1 });
    expect(await codeOf(lockStore.settle(keys, "leader", "sealed", 5_000))).toBe("STORE_SERVER_ERROR");
    expect(await lockStore.claim(keys, "someone-else", 5_000)).toMatchObject({ kind: "busy" });
    await lockStore.settle(keys, "leader", "sealed", 5_000);
    expect(await lockStore.claim(keys, "someone-else", 5_000)).toEqual({ kind: "successor", sealed: "sealed" });
  });
});

describe("the scripts", () => {
  it("claim skips exactly the stale outcome it is given, and is re-entrant for its owner", async () => {
    const lockStore = store();
    const keys = fresh();
    await lockStore.settle(keys, "nobody", "old", 5_000);
    expect(await lockStore.claim(keys, "a", 5_000)).toEqual({ kind: "successor", sealed: "old" });
    expect(await lockStore.claim(keys, "a", 5_000, "old")).toEqual({ kind: "leader" });
    expect(await lockStore.claim(keys, "a", 5_000, "old")).toEqual({ kind: "leader" });
    expect(await lockStore.claim(keys, "b", 5_000, "old")).toMatchObject({ kind: "busy" });
    await lockStore.settle(keys, "a", "new", 5_000);
    expect(await lockStore.claim(keys, "b", 5_000, "old")).toEqual({ kind: "successor", sealed: "new" });
  });

  it("forget refuses the newest token and deletes every earlier outcome along the links", async () => {
    const lockStore = store();
    const [t0, t1, t2] = [fresh(), fresh(), fresh()];
    await lockStore.settle(t0, "o", "t0→t1", 5_000, { previousKey: t1.previous, previousId: t0.id });
    await lockStore.settle(t1, "o", "t1→t2", 5_000, { previousKey: t2.previous, previousId: t1.id });
    expect(await lockStore.forget(t2, "refused", 5_000, 8)).toBe(2);
    expect(await lockStore.claim(t2, "x", 5_000)).toEqual({ kind: "successor", sealed: "refused" });
    expect(await lockStore.claim(t1, "x", 5_000)).toEqual({ kind: "leader" });
    expect(await lockStore.claim(t0, "x", 5_000)).toEqual({ kind: "leader" });
  });
});
