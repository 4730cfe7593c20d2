/**
 * The lock-store contract (src/core/refresh/lock-store.ts) as one test suite every store runs: the memory
 * store, Upstash through the REST bridge, node-redis on a standalone server and on a 3-master cluster, and
 * any outside store. It takes the test runner's own `describe`, `it` and `expect` (vitest, jest, or any
 * runner with the same shapes), so a store author runs it from their own test file:
 *
 *     import { describe, expect, it } from "vitest";
 *     import { lockStoreContract } from "edge-session-refresh/stores";
 *     lockStoreContract("my store", () => ({ store: () => myStore, keysWithTtl }), { describe, it, expect });
 *
 * How a store shows TTLs differs: a Redis store lists its keys with their PTTL; the memory store, which
 * has no outside view, lets the test move its clock past every lifetime and shows that nothing is left.
 */
import { isSessionError } from "../core/errors";
import type { LockStore, RefreshKeys } from "../core/refresh/lock-store";
import { keyNames } from "./redis-scripts";

export interface ContractSubject {
  /** A store on the shared backing (every call may build a new client: they must agree). */
  store(): LockStore;
  /** Every key the store holds whose name contains `id`, with its remaining lifetime in ms (-1: none). */
  keysWithTtl?(ids: readonly string[]): Promise<Array<{ key: string; ttlMs: number }>>;
  /** Moves the store's clock (a store without an outside view of its keys). */
  advance?(ms: number): void;
  /** Live entries (the memory store). */
  size?(): number;
  /** A store of the same kind whose server cannot be reached: every call must fail with a STORE_* code. */
  unreachable?(): LockStore;
}

/** The assertions the suite uses, as vitest's and jest's `expect` provide them. */
export interface ContractAssertion {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toHaveLength(length: number): void;
  toBeGreaterThan(value: number): void;
  toBeGreaterThanOrEqual(value: number): void;
  toBeLessThanOrEqual(value: number): void;
}

/** The test runner's functions: `describe`, `it` (a test may receive a context with `skip`), `expect`. */
export interface ContractRunner {
  describe(name: string, body: () => void): void;
  it(name: string, test: (context: { skip?: () => void }) => Promise<void>): void;
  expect(actual: unknown, message?: string): ContractAssertion;
}

const LOCK_TTL_MS = 5_000;
const OUTCOME_TTL_MS = 30_000;
const CONCURRENT_CLAIMS = 25;

/** Apart from other runs on the same store. */
const RUN = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
let serial = 0;
function freshKeys(label: string): RefreshKeys {
  return keyNames(`contract-${label}-${RUN}-${++serial}`);
}

async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
    return "no error";
  } catch (error) {
    return isSessionError(error) ? error.code : `not a SessionError: ${String(error)}`;
  }
}

/** Registers the contract's tests for one store; `subject` is called once the suite's hooks have run. */
export function lockStoreContract(name: string, subject: () => ContractSubject, runner: ContractRunner): void {
  const { describe, it, expect } = runner;
  describe(`lock-store contract: ${name}`, () => {
    it("claim is atomic: of many concurrent claims with different owners exactly one leads, the others see the lock's lifetime", async () => {
      const s = subject();
      const keys = freshKeys("atomic");
      const stores = Array.from({ length: 3 }, () => s.store());
      const results = await Promise.all(
        Array.from({ length: CONCURRENT_CLAIMS }, (_, i) =>
          stores[i % stores.length]!.claim(keys, `owner-${i}`, LOCK_TTL_MS),
        ),
      );
      expect(results.filter((result) => result.kind === "leader")).toHaveLength(1);
      const busy = results.filter((result) => result.kind === "busy");
      expect(busy).toHaveLength(CONCURRENT_CLAIMS - 1);
      for (const result of busy) {
        expect(result.lockTtlMs).toBeGreaterThan(0);
        expect(result.lockTtlMs).toBeLessThanOrEqual(LOCK_TTL_MS);
      }
    });

    it("claim is re-entrant for the owner (a claim whose answer was lost can be asked again)", async () => {
      const store = subject().store();
      const keys = freshKeys("reentrant");
      expect(await store.claim(keys, "a", LOCK_TTL_MS)).toEqual({ kind: "leader" });
      expect(await store.claim(keys, "a", LOCK_TTL_MS)).toEqual({ kind: "leader" });
      expect((await store.claim(keys, "b", LOCK_TTL_MS)).kind).toBe("busy");
    });

    it("settle stores the outcome for everyone and frees the owner's lock", async () => {
      const store = subject().store();
      const keys = freshKeys("settle");
      await store.claim(keys, "a", LOCK_TTL_MS);
      await store.settle(keys, "a", "sealed-outcome", OUTCOME_TTL_MS);
      expect(await store.claim(keys, "b", LOCK_TTL_MS)).toEqual({ kind: "successor", sealed: "sealed-outcome" });
      expect(await store.release(keys.lock, "a")).toBe(false); // already freed by settle
    });

    it("settle by someone who is not the owner stores the outcome but leaves the owner's lock alone", async () => {
      const store = subject().store();
      const keys = freshKeys("settle-other");
      await store.claim(keys, "a", LOCK_TTL_MS);
      await store.settle(keys, "late-leader", "sealed-late", OUTCOME_TTL_MS);
      expect(await store.release(keys.lock, "a")).toBe(true);
    });

    it("release is owner-checked: another owner cannot free the lock; the owner can, and then it is free", async () => {
      const store = subject().store();
      const keys = freshKeys("release");
      await store.claim(keys, "a", LOCK_TTL_MS);
      expect(await store.release(keys.lock, "b")).toBe(false);
      expect((await store.claim(keys, "b", LOCK_TTL_MS)).kind).toBe("busy");
      expect(await store.release(keys.lock, "a")).toBe(true);
      expect(await store.release(keys.lock, "a")).toBe(false);
      expect(await store.claim(keys, "b", LOCK_TTL_MS)).toEqual({ kind: "leader" });
    });

    it("the stale rule: an outcome the caller names as stale counts as absent, any other is returned", async () => {
      const store = subject().store();
      const keys = freshKeys("stale");
      await store.claim(keys, "a", LOCK_TTL_MS);
      await store.settle(keys, "a", "used-up", OUTCOME_TTL_MS);
      expect(await store.claim(keys, "b", LOCK_TTL_MS, "something else")).toEqual({
        kind: "successor",
        sealed: "used-up",
      });
      expect(await store.claim(keys, "b", LOCK_TTL_MS, "used-up")).toEqual({ kind: "leader" });
      expect((await store.claim(keys, "c", LOCK_TTL_MS, "used-up")).kind).toBe("busy");
      await store.settle(keys, "b", "fresh", OUTCOME_TTL_MS);
      expect(await store.claim(keys, "c", LOCK_TTL_MS, "used-up")).toEqual({ kind: "successor", sealed: "fresh" });
    });

    it("forget refuses the token and deletes every earlier outcome along the chain, each token in its own call", async () => {
      const store = subject().store();
      const [first, second, third] = [freshKeys("chain-1"), freshKeys("chain-2"), freshKeys("chain-3")];
      await store.claim(first, "a", LOCK_TTL_MS);
      await store.settle(first, "a", "first→second", OUTCOME_TTL_MS, {
        previousKey: second.previous,
        previousId: first.id,
      });
      await store.claim(second, "b", LOCK_TTL_MS);
      await store.settle(second, "b", "second→third", OUTCOME_TTL_MS, {
        previousKey: third.previous,
        previousId: second.id,
      });

      expect(await store.forget(third, "refused", OUTCOME_TTL_MS, 5)).toBe(2);
      expect(await store.claim(third, "x", LOCK_TTL_MS)).toEqual({ kind: "successor", sealed: "refused" });
      expect(await store.claim(second, "x", LOCK_TTL_MS)).toEqual({ kind: "leader" });
      expect(await store.claim(first, "x", LOCK_TTL_MS)).toEqual({ kind: "leader" });
    });

    it("forget follows at most maxLinks links", async () => {
      const store = subject().store();
      const [first, second, third] = [freshKeys("short-1"), freshKeys("short-2"), freshKeys("short-3")];
      await store.settle(first, "a", "first→second", OUTCOME_TTL_MS, {
        previousKey: second.previous,
        previousId: first.id,
      });
      await store.settle(second, "b", "second→third", OUTCOME_TTL_MS, {
        previousKey: third.previous,
        previousId: second.id,
      });
      expect(await store.forget(third, "refused", OUTCOME_TTL_MS, 1)).toBe(1);
      expect(await store.claim(second, "x", LOCK_TTL_MS)).toEqual({ kind: "leader" });
      expect(await store.claim(first, "x", LOCK_TTL_MS)).toEqual({ kind: "successor", sealed: "first→second" });
    });

    it("every key written carries a lifetime no longer than the one asked for", async () => {
      const s = subject();
      const store = s.store();
      const [old, next, lonely] = [freshKeys("ttl-old"), freshKeys("ttl-next"), freshKeys("ttl-lonely")];
      await store.claim(old, "a", LOCK_TTL_MS);
      await store.settle(old, "a", "old→next", OUTCOME_TTL_MS, { previousKey: next.previous, previousId: old.id });
      await store.claim(next, "b", LOCK_TTL_MS);
      await store.claim(lonely, "c", LOCK_TTL_MS);
      await store.forget(lonely, "refused", OUTCOME_TTL_MS, 5);
      if (s.keysWithTtl) {
        const keys = await s.keysWithTtl([old.id, next.id, lonely.id]);
        // old: outcome; next: lock and link; lonely: lock and refusal (in every layout the store writes)
        expect(keys.length).toBeGreaterThanOrEqual(5);
        for (const { key, ttlMs } of keys) {
          expect(ttlMs, key).toBeGreaterThan(0);
          expect(ttlMs, key).toBeLessThanOrEqual(OUTCOME_TTL_MS);
        }
      } else if (s.advance && s.size) {
        expect(s.size()).toBeGreaterThan(0);
        s.advance(OUTCOME_TTL_MS + 1);
        expect(s.size()).toBe(0);
      } else {
        throw new Error("the subject must offer keysWithTtl, or advance and size");
      }
    });

    it("ping answers", async () => {
      expect(await subject().store().ping()).toBe(undefined);
    });

    it("a store that cannot be reached fails every operation with a STORE_* code", async (context) => {
      const unreachable = subject().unreachable?.();
      if (!unreachable) return context?.skip?.(); // the memory store cannot fail
      const keys = freshKeys("down");
      const codes = await Promise.all([
        codeOf(unreachable.claim(keys, "a", LOCK_TTL_MS)),
        codeOf(unreachable.settle(keys, "a", "x", OUTCOME_TTL_MS)),
        codeOf(unreachable.release(keys.lock, "a")),
        codeOf(unreachable.forget(keys, "x", OUTCOME_TTL_MS, 5)),
        codeOf(unreachable.ping()),
      ]);
      for (const code of codes) expect(code).toBe("STORE_UNREACHABLE");
    });
  });
}
