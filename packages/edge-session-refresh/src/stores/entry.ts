/**
 * What one lock store supplies to the table (table.ts): how the environment names it, how its settings
 * are read, how it is built, what it means for the coordinator, and what the sign-in limits count on.
 * A store is one file exporting one `StoreEntry<K>`, one variant `K` of StoreSettings (settings.ts) and one
 * line in the table; the compiler checks all three (docs/ARCHITECTURE.md, "Lock stores").
 */
import type { Clock } from "../core/clock";
import type { LockStore } from "../core/refresh/lock-store";
import type { AttemptLimiter, LimitRule } from "../core/signin/attempt-limiter";
import type { LimitName } from "../core/signin/settings";
import type { SettingProblem } from "../core/setting-problem";
import type { ReadText } from "../core/setting-values";
import type { SignInScriptClient } from "./redis-limiter";
import type { SettingsOf, StoreKind, TcpRedisSettings } from "./settings";
import type { UpstashConnection } from "./upstash";

/**
 * The Redis-over-TCP driver (node-redis), which only the Node runtime can run. The core never imports it:
 * the Node adapter hands it in (src/next/node-stores.ts, built from src/stores/node), so the edge bundle
 * never contains a TCP client. Without it, the TCP kinds refuse to build with a configuration error.
 */
export interface TcpRedis {
  /** The lock store on the process's connection for these settings. */
  lockStore(settings: TcpRedisSettings): LockStore;
  /** A script runner on the same connection, for the sign-in limits. */
  scripts(settings: TcpRedisSettings): SignInScriptClient;
}

export interface StoreContext {
  readonly clock: Clock;
  /** NODE_ENV is production. */
  readonly production: boolean;
  /** The Node runtime's TCP Redis driver, when the adapter provides one. */
  readonly tcpRedis?: TcpRedis | undefined;
}

export interface ChosenLimiters {
  readonly limiterFor: (name: LimitName, rule: LimitRule) => AttemptLimiter;
  /** True when the counters live in this isolate only. */
  readonly local: boolean;
}

/**
 * The sign-in limiters a store can ask for (sign-in-limiters.ts builds them). Handed to the entry rather
 * than imported by it, so the table (which the edge middleware carries) never reaches @upstash/ratelimit.
 */
export interface SignInLimiterKit {
  /** This isolate's counters: a store nobody else shares, or no shared counter here. */
  local(): ChosenLimiters;
  /** @upstash/ratelimit's sliding window on this Upstash database (an @upstash/redis client of its own). */
  upstash(connection: UpstashConnection): ChosenLimiters;
  /** The sliding-window Lua script (redis-limiter.ts) on any script-running client. */
  scripts(client: SignInScriptClient): ChosenLimiters;
}

export interface StoreEntry<K extends StoreKind> {
  /** Every environment variable this store reads: core/settings.ts's SETTING_NAMES is built from these. */
  readonly settingNames: readonly string[];
  /** A human name and the settings that configure it, for problems that name several stores. */
  readonly label: string;
  /** The environment configures this store (whether or not well). The in-memory store: never, it is the fallback. */
  configured(read: ReadText): boolean;
  /**
   * Settings other stores read that this store's configuration accounts for as its own database, so they
   * do not count as a second store: Vercel's Upstash integration sets REDIS_URL beside the REST URL.
   */
  sameDatabase?(read: ReadText): readonly string[];
  /** Reads this store's settings; every problem goes to `problems`. Called when this store is chosen. */
  parse(read: ReadText, problems: SettingProblem[]): SettingsOf<K>;
  /** Problems with this store's settings when it is not the one in use (a setting that only it reads). */
  unused?(read: ReadText, problems: SettingProblem[]): void;
  /** Vercel's instances are shared-nothing: only stores that work there are accepted on Vercel. */
  readonly worksOnVercel: boolean;
  /** Builds the store, once per isolate; throws SessionError("CONFIG_INVALID") when it cannot run here. */
  create(settings: SettingsOf<K>, context: StoreContext): LockStore;
  /** Other instances see the same locks and successors (false: this isolate's requests only). */
  readonly shared: boolean;
  /**
   * When the store fails, may a refresh go ahead without the lock? Only for a store nobody else shares: if
   * it fails, no other instance can be leading. A shared store's outage is answered with 503 instead
   * (for a rotating backend; the runtime lets non-rotating backends refresh unlocked whatever the store).
   */
  readonly unlockedWhenStoreFails: boolean;
  /** One line for the start-up log: which store, and what that means. */
  describe(settings: SettingsOf<K>, production: boolean): string;
  /** The sign-in limiters on this store, so every instance counts the same attempts where the store is shared. */
  signInLimiters(settings: SettingsOf<K>, context: StoreContext, kit: SignInLimiterKit): ChosenLimiters;
}

/** The whole table's type: one entry per kind, each typed for its own variant. */
export type StoreTable = { readonly [K in StoreKind]: StoreEntry<K> };
