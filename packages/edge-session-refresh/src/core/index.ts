/**
 * The core's public surface (`edge-session-refresh`): what an adopter or another framework's adapter needs:
 * the settings, the runtime, the session cookie's codec and jar, the gate's answer and the error family,
 * with their types. The package README's "API" section lists each name. Everything else (the coordinator's
 * parts, the backend protocols, the sign-in limits, the proxy's rules) is internal: src/next and the other
 * entries import it by path.
 */
export { SessionError, isSessionError, describeError, type SessionErrorCode } from "./errors";
export type { Clock } from "./clock";
export { parseSettings, SETTING_NAMES, type Settings } from "./settings";
export type { Env } from "./setting-values";
export { createSessionRuntime, type SessionRuntime, type RuntimeDependencies } from "./runtime";
export { createSessionCodec, type SessionCodec } from "./session/codec";
export { sessionCookieName, joinSessionCookie, chunkSessionCookie } from "./session/chunks";
export { parseCookieHeader, serializeCookieHeader, serializeSetCookie, type CookieWrite } from "./session/cookie-jar";
export type { SessionClaims } from "./session/claims";
export type { BackendTokens } from "./backend/tokens";
export { sessionServerTiming, type SessionGate, type GateResult, type GateOutcome } from "./gate/session-gate";
export { RETRY_AFTER_SECONDS } from "./refresh/outcome";
export type { CoordinatorEvent } from "./refresh/events";
// Lock stores: what an outside store needs to implement the contract (lock-store.ts), speak Redis with the
// shared scripts and key layout, and take its place in the table (docs/ARCHITECTURE.md, "Lock stores").
export type { LockStore, ClaimResult, RefreshKeys, SuccessorLink } from "./refresh/lock-store";
export { createMemoryLockStore } from "./refresh/memory-store";
export { createUpstashClient, createUpstashLockStore, classifyUpstashError, STORE_TIMEOUT_MS, type LockScriptClient } from "./refresh/upstash-store";
export { createRedisLockStore, type RedisLockStoreOptions, type RedisScriptRunner } from "./refresh/redis-lock-store";
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
} from "./refresh/redis-scripts";
export { LOCK_STORES, lockStoreFor, lockStoreEntry, type LockStoreEntry, type LockStoreTable, type StoreContext, type ChosenStore } from "./refresh/stores";
export { redactedUrl, type StoreKind } from "./refresh/store-settings";
export { deferredLockStore } from "./refresh/deferred-store";
