/**
 * The core's public surface (`edge-session-refresh`): what adapters (src/next, the edge-tests worker) and
 * lock stores use — settings, the runtime and its parts, the cookie codec and jar, the coordinator and the
 * store contract. Internals (the decision helpers, the development secret, protocol parsers) stay inside.
 */
export { SessionError, isSessionError, describeError, type SessionErrorCode } from "./errors";
export { systemClock, type Clock } from "./clock";
export {
  parseSettings,
  SETTING_NAMES,
  DEFAULT_SESSION_MAX_AGE_SECONDS,
  type Settings,
  type Env,
  type BackendSettings,
  type BackendProxySettings,
  type StoreSettings,
  type BackendProtocol,
  type RotationPolicy,
} from "./settings";
export { createSessionRuntime, type SessionRuntime, type RuntimeDependencies } from "./runtime";
export { createSessionCodec, type SessionCodec } from "./session/codec";
export { sessionCookieName, joinSessionCookie, chunkSessionCookie, CHUNK_SIZE } from "./session/chunks";
export { parseCookieHeader, serializeCookieHeader, serializeSetCookie, type CookieWrite } from "./session/cookie-jar";
export { asSessionClaims, type SessionClaims } from "./session/claims";
export type { BackendTokens } from "./backend/tokens";
export { createBackendClient, type BackendClient, type BackendResult } from "./backend/client";
export { parseTokenResponse } from "./backend/token-response";
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
export { createSignInLimits, retryAfterMinutes, signInLimitsNotes, type SignInLimits, type SignInCheck, type SignInEvent } from "./signin/sign-in-limits";
export { clientAddress, type RequestHeaders } from "./signin/client-address";
export { createKeyedHash } from "./signin/keyed-hash";
export type { SignInSettings, LimitName } from "./signin/settings";
