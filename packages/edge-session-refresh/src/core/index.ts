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
