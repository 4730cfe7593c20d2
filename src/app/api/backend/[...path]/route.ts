/** Client code's way to the backend: the session's access token is added here, server-side (edge-session-refresh/next's backend proxy). */
import { backendProxyHandler } from "edge-session-refresh/next";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const handle = backendProxyHandler();

export { handle as GET, handle as HEAD, handle as POST, handle as PUT, handle as PATCH, handle as DELETE };
