/**
 * The lock stores as a table: one entry per StoreSettings kind, each from its store's own file. Everything
 * that depends on which store runs reads it from here: which settings exist (STORE_SETTING_NAMES), which
 * store the environment names (parseStoreSettings), the store itself (lockStoreFor), and its sign-in
 * limiters (sign-in-limiters.ts). Nothing outside the entries asks which kind it is.
 */
import type { Clock } from "../core/clock";
import type { LockStore } from "../core/refresh/lock-store";
import type { SettingProblem } from "../core/setting-problem";
import type { ReadText } from "../core/setting-values";
import type { StoreContext, StoreEntry, StoreTable, TcpRedis } from "./entry";
import { memoryStore } from "./memory";
import { redisClusterStore, redisStore } from "./redis-tcp";
import type { StoreKind, StoreSettings } from "./settings";
import { upstashStore } from "./upstash";

export const LOCK_STORES = {
  memory: memoryStore,
  upstash: upstashStore,
  redis: redisStore,
  "redis-cluster": redisClusterStore,
} as const satisfies StoreTable;

/** Every kind, in the table's order: the values SESSION_LOCK_STORE accepts. */
export const STORE_KINDS = Object.keys(LOCK_STORES) as StoreKind[];

/** The setting that picks one store when several are configured. */
export const STORE_CHOICE_SETTING = "SESSION_LOCK_STORE";

/** Every environment variable the stores read, SESSION_LOCK_STORE first. */
export const STORE_SETTING_NAMES: readonly string[] = Object.freeze([
  STORE_CHOICE_SETTING,
  ...new Set(Object.values(LOCK_STORES).flatMap((entry) => entry.settingNames)),
]);

/** The table entry for a kind, typed loosely: callers hand it the settings of that same kind. */
export function lockStoreEntry(kind: StoreKind): StoreEntry<StoreKind> {
  return LOCK_STORES[kind] as unknown as StoreEntry<StoreKind>;
}

const isKind = (value: string): value is StoreKind => Object.hasOwn(LOCK_STORES, value);

/**
 * Which store the environment names, and every problem with its settings. At most one shared store may be
 * configured, unless SESSION_LOCK_STORE picks one; none means the in-memory store. `read` gives one trimmed
 * setting (undefined when empty).
 */
export function parseStoreSettings(read: ReadText, problems: SettingProblem[]): StoreSettings {
  const kinds = STORE_KINDS;
  // Settings one store's configuration accounts for as its own database do not name a second store.
  const counted = new Set(kinds.flatMap((kind) => lockStoreEntry(kind).sameDatabase?.(read) ?? []));
  const readUncounted: ReadText = (name) => (counted.has(name) ? undefined : read(name));
  const configured = kinds.filter((kind) => lockStoreEntry(kind).configured(readUncounted));
  for (const kind of kinds) lockStoreEntry(kind).unused?.(read, problems);

  const choice = read(STORE_CHOICE_SETTING);
  let kind: StoreKind;
  let settingsReader = readUncounted;
  if (choice !== undefined) {
    if (!isKind(choice)) {
      problems.push({
        setting: STORE_CHOICE_SETTING,
        message: `${STORE_CHOICE_SETTING} must be one of ${kinds.join(", ")}, got ${JSON.stringify(choice)}`,
      });
      return { kind: "memory" };
    }
    const entry = lockStoreEntry(choice);
    if (entry.settingNames.length > 0 && !entry.configured(read)) {
      problems.push({
        setting: STORE_CHOICE_SETTING,
        message: `${STORE_CHOICE_SETTING}=${choice} names ${entry.label}, which is not configured: set ${entry.settingNames[0]}`,
      });
      return { kind: "memory" };
    }
    kind = choice;
    settingsReader = read; // chosen by name: its own settings count, even when another store accounts for them
  } else if (configured.length > 1) {
    problems.push({
      setting: STORE_CHOICE_SETTING,
      message: `more than one lock store is configured: ${configured.map((k) => lockStoreEntry(k).label).join(" and ")}; set exactly one, or set ${STORE_CHOICE_SETTING} to the one to use (${configured.join(" or ")})`,
    });
    return { kind: "memory" };
  } else {
    kind = configured[0] ?? "memory";
  }

  // On Vercel every request may land on another instance: the in-memory store would let each refresh the
  // same token, and a rotating backend revokes the family. `vercel dev` (VERCEL_ENV=development) is exempt.
  if (read("VERCEL") === "1" && read("VERCEL_ENV") !== "development" && !lockStoreEntry(kind).worksOnVercel) {
    problems.push({
      setting: "UPSTASH_REDIS_REST_URL",
      message:
        "no lock store on Vercel: connect Upstash Redis (its integration sets KV_REST_API_URL and KV_REST_API_TOKEN) or set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN; the in-memory store cannot coordinate refreshes between instances",
    });
  }
  return lockStoreEntry(kind).parse(settingsReader, problems);
}

export interface ChosenStore {
  readonly store: LockStore;
  /** Shared between instances, or only this isolate's. */
  readonly shared: boolean;
  readonly unlockedWhenStoreFails: boolean;
  readonly description: string;
}

/** Builds the store the settings name; `tcpRedis` is the Node runtime's TCP driver, when there is one. */
export function lockStoreFor(
  settings: StoreSettings,
  clock: Clock,
  production = false,
  tcpRedis?: TcpRedis,
): ChosenStore {
  const entry = lockStoreEntry(settings.kind);
  const context: StoreContext = { clock, production, tcpRedis };
  return {
    store: entry.create(settings, context),
    shared: entry.shared,
    unlockedWhenStoreFails: entry.unlockedWhenStoreFails,
    description: entry.describe(settings, production),
  };
}
