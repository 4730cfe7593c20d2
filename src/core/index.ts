/** The core's public surface: runtime-neutral session handling for next-auth v4 cookies at the edge. */
export { SessionError, isSessionError, describeError, type SessionErrorCode } from "./errors";
export { systemClock, type Clock } from "./clock";
export { parseSettings, DEV_SECRET, SETTING_NAMES, type Settings, type Env, type BackendSettings, type StoreSettings, type BackendProtocol, type RotationPolicy } from "./settings";
export { createSessionRuntime, type SessionRuntime, type RuntimeDependencies } from "./runtime";
export { createSessionCodec, type SessionCodec } from "./session/codec";
export { sessionCookieName, joinSessionCookie, chunkSessionCookie, CHUNK_SIZE } from "./session/chunks";
export { parseCookieHeader, serializeCookieHeader, serializeSetCookie, sessionCookieWrites, type CookieWrite } from "./session/cookie-jar";
export { asSessionClaims, refreshDue, withTokens, type SessionClaims } from "./session/claims";
export type { BackendTokens } from "./backend/tokens";
export { createBackendClient, type BackendClient, type BackendResult } from "./backend/client";
export { parseTokenResponse, parseOAuthTokenResponse } from "./backend/token-response";
export { createRefreshCoordinator, type RefreshCoordinator, type SignOutResult } from "./refresh/coordinator";
export { RETRY_AFTER_SECONDS, type RefreshOutcome } from "./refresh/outcome";
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
export { createSessionGate, sessionServerTiming, type SessionGate, type GateResult, type GateOutcome, type SessionStep } from "./gate/session-gate";
