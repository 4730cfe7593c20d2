/** The Next.js adapter: the only layer that imports next/*. */
export { createSessionMiddleware } from "./session-middleware";
export { sessionRuntime } from "./runtime";
export { currentSession, refreshAlreadyUnavailable } from "./server-session";
export { routeKind, safeCallbackPath, LOGIN_PATH, PROTECTED_APIS, PROTECTED_PAGES } from "./routes";
