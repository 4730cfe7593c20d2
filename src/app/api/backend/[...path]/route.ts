/** Client code's way to the backend: the session's access token is added here, server-side. See src/next/backend-proxy.ts. */
import { backendProxyConfig, proxyToBackend, type BackendProxyConfig } from "edge-session-refresh/next";
import { currentSession } from "edge-session-refresh/next";
import { sessionRuntime } from "edge-session-refresh/next";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

let config: BackendProxyConfig | undefined;

function handle(request: Request): Promise<Response> {
  config ??= backendProxyConfig(sessionRuntime().settings);
  return proxyToBackend(request, { config, accessToken: async () => (await currentSession())?.accessToken ?? null });
}

export { handle as GET, handle as HEAD, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
