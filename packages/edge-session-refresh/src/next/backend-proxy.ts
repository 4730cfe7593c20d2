/**
 * The backend proxy in a Next route handler: the core's proxy (src/core/proxy/: method, origin, path, body
 * and header rules, a standard Request in and a standard Response out) on this isolate's settings and the
 * current session's access token, which the middleware has already refreshed in this request.
 */
import { backendProxyConfig, proxyToBackend, type BackendProxyConfig } from "../core/proxy/backend-proxy";
import { sessionRuntime } from "./runtime";
import { currentSession } from "./server-session";

/**
 * The route handler for `app/api/backend/[...path]/route.ts` (the proxy is mounted at `/api/backend`):
 * export it as GET, HEAD, POST, PUT, PATCH and DELETE. The settings are read on the first request.
 */
export function backendProxyHandler(): (request: Request) => Promise<Response> {
  let config: BackendProxyConfig | undefined;
  return (request) => {
    config ??= backendProxyConfig(sessionRuntime().settings);
    return proxyToBackend(request, { config, accessToken: async () => (await currentSession())?.accessToken ?? null });
  };
}
