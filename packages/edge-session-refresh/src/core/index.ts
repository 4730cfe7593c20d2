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
export { createSessionGate, sessionServerTiming, type SessionGate, type GateResult, type GateOutcome, type SessionStep } from "./gate/session-gate";
export { createSignInLimits, retryAfterMinutes, signInLimitsNotes, type SignInLimits, type SignInCheck, type SignInEvent } from "./signin/sign-in-limits";
export { clientAddress, type RequestHeaders } from "./signin/client-address";
export { createKeyedHash } from "./signin/keyed-hash";
export type { SignInSettings, LimitName } from "./signin/settings";
