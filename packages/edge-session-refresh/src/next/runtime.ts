/**
 * One session runtime per isolate, built lazily from process.env on first use. The edge middleware and
 * the Node route handlers each get their own (they are separate isolates); with the Upstash store they
 * share locks and successors through Redis.
 */
import { createSessionRuntime, type SessionRuntime } from "../core/runtime";
import { parseSettingsStoreApart } from "../core/settings";
import { logConfigurationError } from "./configuration-error";
import { signInLimitsNotes } from "../core/signin/sign-in-limits";
import { nodeTcpRedis } from "./node-stores";

let runtime: SessionRuntime | undefined;

/**
 * This isolate's session runtime (settings from process.env, the configured lock store and backend protocol),
 * built on first use: for route handlers of your own, e.g. `sessionRuntime().backend.profile(accessToken)`.
 */
export function sessionRuntime(): SessionRuntime {
  if (runtime !== undefined) return runtime;
  // A lock-store problem alone does not stop the runtime: only what needs the store answers it (issue 23).
  const { settings, storeError } = parseSettingsStoreApart(process.env, { nodeEnv: process.env.NODE_ENV });
  if (storeError !== undefined) logConfigurationError(storeError);
  runtime = createSessionRuntime(settings, {
    storeError,
    // `npm run dev` announces the store once for both isolates (edge middleware and Node routes).
    announceStore: !settings.storeAnnounced,
    production: process.env.NODE_ENV === "production",
    // On Node, REDIS_URL / REDIS_CLUSTER_NODES select a TCP Redis; the edge bundle never loads it.
    tcpRedis: nodeTcpRedis(),
  });
  // Said when the runtime starts, like the store: an unknown address weakens the sign-in limits. Not from
  // the edge middleware's isolate, where nobody signs in.
  if (process.env.NEXT_RUNTIME !== "edge")
    for (const note of signInLimitsNotes(runtime.settings.signIn)) console.warn(note);
  return runtime;
}
