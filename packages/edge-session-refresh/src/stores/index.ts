/**
 * `edge-session-refresh/stores`: what a lock-store author needs. The contract a store implements, the
 * shared Redis scripts and key layouts with the store that runs them on any script client, the built-in
 * stores, and the contract suite itself, to run against your own store with your test runner
 * (docs/ARCHITECTURE.md, "Lock stores"). The TCP stores (node-redis) are `edge-session-refresh/stores/node`.
 */
export type { LockStore, ClaimResult, RefreshKeys, SuccessorLink } from "../core/refresh/lock-store";
export { createMemoryLockStore, type MemoryLockStore } from "./memory";
export {
  createUpstashLockStore,
  classifyUpstashError,
  STORE_TIMEOUT_MS,
  STORE_REST_OPTIONS,
  type LockScript,
  type LockScriptClient,
  type UpstashConnection,
} from "./upstash";
export { createUpstashRestClient, UpstashRestError, type UpstashRestOptions } from "./upstash-rest";
export { createUpstashClient } from "./upstash-client";
export { createRedisLockStore, type RedisLockStoreOptions, type RedisScriptRunner } from "./redis-lock-store";
export {
  KEY_LAYOUT,
  LEGACY_V2_LAYOUT,
  CLUSTER_LAYOUTS,
  TRANSITION_LAYOUTS,
  KEY_PREFIX,
  keyNames,
  CLAIM_SCRIPT,
  SETTLE_SCRIPT,
  LINK_SCRIPT,
  RELEASE_SCRIPT,
  FORGET_LINK_SCRIPT,
  type KeyLayout,
  type KeyLayouts,
} from "./redis-scripts";
export { deferredLockStore, lazyTcpRedis } from "./deferred";
export { LOCK_STORES, STORE_KINDS, lockStoreFor, type ChosenStore } from "./table";
export type { StoreEntry, StoreTable, StoreContext, TcpRedis, SignInLimiterKit, ChosenLimiters } from "./entry";
export { redactedUrl, type StoreKind, type StoreSettings, type SettingsOf, type TcpRedisSettings } from "./settings";
export type { SignInScriptClient } from "./redis-limiter";
export { lockStoreContract, type ContractSubject, type ContractRunner, type ContractAssertion } from "./contract";
