/**
 * One session runtime per isolate, built lazily from process.env on first use. The edge middleware and
 * the Node route handlers each get their own (they are separate isolates); with the Upstash store they
 * share locks and successors through Redis.
 */
import { createSessionRuntime, parseSettings, signInLimitsNotes, type SessionRuntime } from "../core";
import { nodeTcpRedis } from "./node-stores";

let runtime: SessionRuntime | undefined;

export function sessionRuntime(): SessionRuntime {
  if (runtime !== undefined) return runtime;
  runtime = createSessionRuntime(parseSettings(process.env, { nodeEnv: process.env.NODE_ENV }), {
    // `npm run dev` announces the store once for both isolates (edge middleware and Node routes).
    announceStore: process.env.SESSION_STORE_ANNOUNCED !== "1",
    production: process.env.NODE_ENV === "production",
    // On Node, REDIS_URL / REDIS_CLUSTER_NODES select a TCP Redis; the edge bundle never loads it.
    tcpRedis: nodeTcpRedis(),
  });
  // Said when the runtime starts, like the store: an unknown address weakens the sign-in limits. Not from
  // the edge middleware's isolate, where nobody signs in.
  if (process.env.NEXT_RUNTIME !== "edge") for (const note of signInLimitsNotes(runtime.settings.signIn)) console.warn(note);
  return runtime;
}
