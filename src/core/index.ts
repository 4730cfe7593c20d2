/** The core's public surface: runtime-neutral session handling for next-auth v4 cookies at the edge. */
export { SessionError, isSessionError, type SessionErrorCode } from "./errors";
export { parseSettings, DEV_SECRET, type Settings, type Env, type BackendSettings, type StoreSettings } from "./settings";
export { createSessionRuntime, type SessionRuntime, type RuntimeDependencies } from "./runtime";
export { createSessionCodec, type SessionCodec } from "./session/codec";
export { sessionCookieName, joinSessionCookie, chunkSessionCookie, CHUNK_SIZE } from "./session/chunks";
export { parseCookieHeader, serializeCookieHeader, sessionCookieWrites, type CookieWrite } from "./session/cookie-jar";
export { asSessionClaims, refreshDue, withTokens, type SessionClaims, type BackendTokens } from "./session/claims";
export { createBackendClient, type BackendClient, type BackendResult } from "./backend/client";
export { parseTokenResponse } from "./backend/token-response";
export { createRefreshCoordinator, type RefreshCoordinator, type RefreshOutcome } from "./refresh/coordinator";
export { createMemoryLockStore } from "./refresh/memory-store";
export { createUpstashClient, createUpstashLockStore } from "./refresh/upstash-store";
export type { LockStore, ClaimResult, RefreshKeys } from "./refresh/lock-store";
export { createSessionGate, type SessionGate, type GateResult, type GateOutcome } from "./gate/session-gate";
