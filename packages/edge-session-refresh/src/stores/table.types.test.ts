/**
 * "A store is one file, one StoreSettings variant and one table entry, and the compiler checks all three"
 * (docs/ARCHITECTURE.md, "Lock stores"), kept true: the type-level half fails `npm run typecheck` (an unused
 * @ts-expect-error is an error), the other half finds every entry a file of this folder exports.
 */
import { readdirSync } from "node:fs";
import { describe, expect, expectTypeOf, it } from "vitest";
import { SETTING_NAMES } from "../core/settings";
import type { StoreEntry, StoreTable } from "./entry";
import { memoryStore } from "./memory";
import { redisClusterStore, redisStore } from "./redis-tcp";
import type { StoreKind, StoreSettings } from "./settings";
import { LOCK_STORES, STORE_KINDS } from "./table";
import { upstashStore } from "./upstash";

describe("adding a store: one file, one variant, one entry", () => {
  it("the compiler ties the table to the variants: one entry per kind, each typed for its own variant", () => {
    expectTypeOf<keyof typeof LOCK_STORES>().toEqualTypeOf<StoreKind>();
    expectTypeOf<StoreKind>().toEqualTypeOf<StoreSettings["kind"]>();
    // @ts-expect-error a variant without an entry: the table does not compile
    const missing: StoreTable = { memory: memoryStore, upstash: upstashStore, redis: redisStore };
    // @ts-expect-error an entry for one variant cannot stand in for another's
    const swapped: StoreTable = { ...LOCK_STORES, redis: redisClusterStore };
    // @ts-expect-error an entry names a kind that is not a variant
    const unknownKind: StoreEntry<"valkey"> = memoryStore;
    expect([missing, swapped, unknownKind]).toHaveLength(3);
  });

  it("every entry a store file exports is in the table, and the table holds nothing else", async () => {
    const files = readdirSync(import.meta.dirname).filter(
      (file) => file.endsWith(".ts") && !file.endsWith(".test.ts") && file !== "index.ts",
    );
    const exported: unknown[] = [];
    for (const file of files) {
      const loaded = (await import(`./${file.slice(0, -3)}`)) as Record<string, unknown>;
      for (const value of Object.values(loaded)) {
        if (
          typeof value === "object" &&
          value !== null &&
          "create" in value &&
          "signInLimiters" in value &&
          "parse" in value
        )
          exported.push(value);
      }
    }
    expect(new Set(exported)).toEqual(new Set(Object.values(LOCK_STORES)));
    expect(STORE_KINDS).toEqual(Object.keys(LOCK_STORES));
  });

  it("every setting an entry reads is one parseSettings knows by name (SETTING_NAMES is built from the table)", () => {
    for (const entry of Object.values(LOCK_STORES))
      for (const name of entry.settingNames) expect(SETTING_NAMES).toContain(name);
    expect(SETTING_NAMES).toContain("SESSION_LOCK_STORE");
  });
});
