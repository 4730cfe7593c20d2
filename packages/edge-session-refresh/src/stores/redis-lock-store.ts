/**
 * The lock store on any Redis: the scripts and key layout of redis-scripts.ts run through whatever client
 * the store is given (Upstash over HTTP, node-redis over TCP or a cluster). Each operation is one script
 * call, with two exceptions on a cluster, where a call's keys must share a slot: settling a rotation writes
 * the link in the new token's slot as a second call, sent alongside. And sign-out walks the chain from here
 * on every store, one call per token, each given that token's keys (chains are 1–2 long).
 */
import { SessionError, type SessionErrorCode } from "../core/errors";
import type { ClaimResult, LockStore, RefreshKeys } from "../core/refresh/lock-store";
import {
  CLAIM_SCRIPT,
  CLUSTER_LAYOUTS,
  FORGET_LINK_SCRIPT,
  keyNames,
  keysPerLayout,
  LINK_SCRIPT,
  RELEASE_SCRIPT,
  sameKeyPerLayout,
  SETTLE_SCRIPT,
  TRANSITION_LAYOUTS,
  type KeyLayouts,
} from "./redis-scripts";

/** What a Redis client must do for the store: run a script by its text, and answer a PING. */
export interface RedisScriptRunner {
  /** Runs `script` (EVALSHA, then EVAL when the server does not have it) with `keys`, which share one slot. */
  evaluate(script: string, keys: string[], args: string[]): Promise<unknown>;
  ping(): Promise<unknown>;
}

export interface RedisLockStoreOptions {
  readonly runner: RedisScriptRunner;
  /** The client's failures as STORE_* codes: each client words them differently (HTTP, RESP, sockets). */
  readonly classify: (error: unknown) => SessionErrorCode;
  /**
   * A Redis Cluster: every call keeps to one hash slot, and only the current key layout is written (a
   * cluster never had v2). Otherwise the store keeps the v2 layout in step for a rolling deploy, and a
   * rotation's link is written by the settle call itself (redis-scripts.ts).
   */
  readonly cluster?: boolean;
  /** Named in a timeout's message. */
  readonly timeoutMs?: number;
}

export function createRedisLockStore(options: RedisLockStoreOptions): LockStore {
  const { runner, classify } = options;
  const cluster = options.cluster === true;
  const layouts: KeyLayouts = cluster ? CLUSTER_LAYOUTS : TRANSITION_LAYOUTS;

  async function run(what: string, script: string, keys: string[], args: string[]): Promise<unknown> {
    try {
      return await runner.evaluate(script, keys, args);
    } catch (error) {
      throw storeError(what, error);
    }
  }

  function storeError(what: string, error: unknown): SessionError {
    if (error instanceof SessionError) return error;
    const code = classify(error);
    const after = code === "STORE_TIMEOUT" && options.timeoutMs !== undefined ? ` after ${options.timeoutMs} ms` : "";
    return new SessionError(code, `lock store ${what} failed (${code})${after}`, { cause: error });
  }

  /** One link of the walk: returns whether an earlier outcome went, and the id before this one. */
  async function forgetLink(
    keys: RefreshKeys,
    args: string[],
  ): Promise<{ deleted: number; previousId: string | undefined }> {
    const reply = await run(
      "forget",
      FORGET_LINK_SCRIPT,
      keysPerLayout(layouts, keys, ["successor", "previous"]),
      args,
    );
    if (Array.isArray(reply)) {
      const [deleted, previous] = reply as unknown[];
      if (typeof previous === "string" || previous === null)
        return { deleted: Number(deleted) === 1 ? 1 : 0, previousId: previous || undefined };
    }
    throw new SessionError("STORE_PROTOCOL", `unexpected forget reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
  }

  return {
    async claim(keys, owner, lockTtlMs, stale): Promise<ClaimResult> {
      const reply = await run("claim", CLAIM_SCRIPT, keysPerLayout(layouts, keys, ["successor", "lock"]), [
        owner,
        String(lockTtlMs),
        stale ?? "",
      ]);
      if (Array.isArray(reply)) {
        const [tag, value] = reply as unknown[];
        if (Number(tag) === 1 && typeof value === "string") return { kind: "successor", sealed: value };
        if (Number(tag) === 2) return { kind: "leader" };
        if (Number(tag) === 3) return { kind: "busy", lockTtlMs: Math.max(Number(value) || 0, 0) };
      }
      throw new SessionError("STORE_PROTOCOL", `unexpected claim reply: ${JSON.stringify(reply)?.slice(0, 200)}`);
    },

    async settle(keys, owner, sealed, ttlMs, link) {
      const outcomeKeys = keysPerLayout(layouts, keys, ["successor", "lock"]);
      const args = [owner, sealed, String(ttlMs), String(layouts.length)];
      const linkKeys = link ? sameKeyPerLayout(layouts, link.previousKey, "previous") : [];
      if (!cluster || link === undefined) {
        await run("settle", SETTLE_SCRIPT, [...outcomeKeys, ...linkKeys], link ? [...args, link.previousId] : args);
        return;
      }
      // On a cluster the link lives in the new token's slot: its own call, sent alongside (one round trip
      // on a pipelining client). Both are awaited before a failure is thrown, so a retry never overlaps.
      const results = await Promise.allSettled([
        run("settle", SETTLE_SCRIPT, outcomeKeys, args),
        run("settle", LINK_SCRIPT, linkKeys, [link.previousId, String(ttlMs)]),
      ]);
      for (const result of results) if (result.status === "rejected") throw result.reason;
    },

    async release(lockKey, owner) {
      return Number(await run("release", RELEASE_SCRIPT, sameKeyPerLayout(layouts, lockKey, "lock"), [owner])) > 0;
    },

    async forget(keys, sealed, ttlMs, maxLinks) {
      let { previousId } = await forgetLink(keys, ["refuse", sealed, String(ttlMs)]);
      let deleted = 0;
      for (let link = 0; link < maxLinks && previousId !== undefined; link++) {
        const step = await forgetLink(keyNames(previousId), ["forget"]);
        deleted += step.deleted;
        previousId = step.previousId;
      }
      return deleted;
    },

    async ping() {
      try {
        await runner.ping();
      } catch (error) {
        throw storeError("ping", error);
      }
    },
  };
}
