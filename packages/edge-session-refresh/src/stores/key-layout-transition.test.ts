/**
 * A rolling deploy across the key-layout change (esr:v2 → esr:v3) on Upstash: old instances (the store as
 * the last v2 release shipped it, ./test-support/v2-lock-store.ts) and new ones share one real Redis
 * behind the REST bridge. They must share one lock, see each other's successors and honour each other's
 * sign-outs, so the deploy signs nobody out (docs/DEPLOYING.md, "Rolling deploys and the store's key layout").
 */
import { describe, expect, it } from "vitest";
import { bridgedRedisForFile } from "../../../../test-support/bridged-redis";
import { testCoordinator } from "../core/refresh/test-support/coordinator";
import { policyBackend } from "../core/refresh/test-support/policy-backend";
import { createV2LockStore } from "./test-support/v2-lock-store";
import { systemClock } from "../core/clock";
import type { LockStore } from "../core/refresh/lock-store";
import { keyNames, LEGACY_V2_LAYOUT, sealedValueContext } from "./redis-scripts";
import { createUpstashLockStore, STORE_REST_OPTIONS } from "./upstash";
import { createUpstashClient } from "./upstash-client";
import { createUpstashRestClient } from "./upstash-rest";

const TOKEN = "transition-test-token";
const LOCK_MS = 5_000;
const TTL_MS = 30_000;
const servers = bridgedRedisForFile({ token: TOKEN, keyPrefix: "esr" });

const oldStore = (): LockStore => createV2LockStore(createUpstashClient({ url: servers.bridge.url, token: TOKEN }));
// The old release ran on @upstash/redis; this one runs on the package's REST transport.
const newStore = (): LockStore =>
  createUpstashLockStore(createUpstashRestClient({ url: servers.bridge.url, token: TOKEN }, STORE_REST_OPTIONS));
let serial = 0;
const fresh = () => keyNames(`transition-${process.pid}-${++serial}`);

describe("old (v2) and new (v3) instances on one Upstash store", () => {
  it("sealed values open on both sides: they are bound to the same text in both layouts", () => {
    const id = "some-token-id";
    expect(sealedValueContext(id)).toBe(LEGACY_V2_LAYOUT.keysFor(id).successor);
  });

  it("a new leader's lock stops an old instance, and the old instance takes the new leader's successor", async () => {
    const [before, after] = [newStore(), oldStore()];
    const keys = fresh();
    expect(await before.claim(keys, "new", LOCK_MS)).toEqual({ kind: "leader" });
    expect((await after.claim(keys, "old", LOCK_MS)).kind).toBe("busy");
    await before.settle(keys, "new", "sealed-by-new", TTL_MS);
    expect(await after.claim(keys, "old", LOCK_MS)).toEqual({ kind: "successor", sealed: "sealed-by-new" });
  });

  it("an old leader's lock stops a new instance, and the new instance takes the old leader's successor", async () => {
    const [old, current] = [oldStore(), newStore()];
    const keys = fresh();
    expect(await old.claim(keys, "old", LOCK_MS)).toEqual({ kind: "leader" });
    expect((await current.claim(keys, "new", LOCK_MS)).kind).toBe("busy");
    await old.settle(keys, "old", "sealed-by-old", TTL_MS);
    expect(await current.claim(keys, "new", LOCK_MS)).toEqual({ kind: "successor", sealed: "sealed-by-old" });
  });

  it("a lock released on either side is free on both", async () => {
    const [old, current] = [oldStore(), newStore()];
    const keys = fresh();
    await current.claim(keys, "new", LOCK_MS);
    expect(await current.release(keys.lock, "new")).toBe(true);
    expect(await old.claim(keys, "old", LOCK_MS)).toEqual({ kind: "leader" });
    expect(await old.release(keys.lock, "old")).toBe(true);
    expect(await current.claim(keys, "new", LOCK_MS)).toEqual({ kind: "leader" });
  });

  for (const [signingOut, checking] of [
    ["new", "old"],
    ["old", "new"],
  ] as const) {
    it(`a sign-out on the ${signingOut} side, along a chain both sides built, is honoured on the ${checking} side`, async () => {
      const stores = { old: oldStore(), new: newStore() };
      const [first, second, third] = [fresh(), fresh(), fresh()];
      // The chain grew across the deploy: an old instance rotated first→second, a new one second→third.
      await stores.old.claim(first, "old", LOCK_MS);
      await stores.old.settle(first, "old", "first→second", TTL_MS, {
        previousKey: second.previous,
        previousId: first.id,
      });
      await stores.new.claim(second, "new", LOCK_MS);
      await stores.new.settle(second, "new", "second→third", TTL_MS, {
        previousKey: third.previous,
        previousId: second.id,
      });

      expect(await stores[signingOut].forget(third, "refused", TTL_MS, 5)).toBe(2);
      expect(await stores[checking].claim(third, "x", LOCK_MS)).toEqual({ kind: "successor", sealed: "refused" });
      expect(await stores[checking].claim(second, "x", LOCK_MS)).toEqual({ kind: "leader" });
      expect(await stores[checking].claim(first, "y", LOCK_MS)).toEqual({ kind: "leader" });
    });
  }

  it("a storm on old and new instances at once: one backend refresh, nobody signed out; then a sign-out ends it everywhere", async () => {
    const backend = policyBackend({ clock: systemClock, policy: "rotate", accessTtlMs: 60_000, latencyMs: 40 });
    const isolates = [oldStore(), newStore(), oldStore(), newStore()].map((store) =>
      testCoordinator({ store, backend }),
    );
    const session = { ...backend.login(), accessTokenExpires: Date.now() - 1 };

    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => isolates[i % isolates.length]!.refresh(session)),
    );
    expect(backend.stats).toMatchObject({ refreshes: 1, reuseDetections: 0 });
    expect(outcomes.map((outcome) => outcome.kind).filter((kind) => kind !== "refreshed" && kind !== "joined")).toEqual(
      [],
    );
    const successors = new Set(outcomes.map((outcome) => ("tokens" in outcome ? outcome.tokens.refreshToken : "none")));
    expect(successors.size).toBe(1);

    // A late tab on the other release is replayed the same successor, with no second backend call.
    for (const late of [
      testCoordinator({ store: oldStore(), backend }),
      testCoordinator({ store: newStore(), backend }),
    ]) {
      const replay = await late.refresh(session);
      expect(replay.kind).toBe("replayed");
      expect("tokens" in replay && replay.tokens.refreshToken).toBe([...successors][0]);
    }
    expect(backend.stats.refreshes).toBe(1);

    // Signed out on a new instance: copies of either cookie, replayed on an old one, get nothing.
    const newest = outcomes.find((outcome) => "tokens" in outcome)!;
    if (!("tokens" in newest)) throw new Error("no tokens");
    expect(await isolates[1]!.signOut(newest.tokens.refreshToken)).toMatchObject({ chainForgotten: 1 });
    const attacker = testCoordinator({ store: oldStore(), backend });
    for (const copy of [session, newest.tokens]) {
      expect(await attacker.refresh({ ...copy, accessTokenExpires: Date.now() - 1 })).toMatchObject({
        kind: "rejected",
      });
    }
  });
});
