/**
 * This isolate's sign-in limits, built on first use from the session runtime's settings and store
 * (src/core/signin/). Each limited attempt and each store failure is one JSON line on the console,
 * carrying keyed-hash prefixes, never an identifier or an address.
 */
import { createKeyedHash } from "../core/signin/keyed-hash";
import { createSignInLimits, type SignInEvent, type SignInLimits } from "../core/signin/sign-in-limits";
// Only this file imports the limiters: @upstash/ratelimit must stay out of the edge middleware's bundle (it signs nobody in).
import { signInLimitersFor } from "../stores/sign-in-limiters";
import { nodeTcpRedis } from "./node-stores";
import { sessionRuntime } from "./runtime";

let limits: SignInLimits | undefined;

export function signInLimits(): SignInLimits {
  if (limits !== undefined) return limits;
  const { settings, clock, storeError } = sessionRuntime();
  // The limits live in the lock store: with its settings wrong, a sign-in is refused as a configuration
  // error rather than limited by this instance alone (credentials-limits.ts answers it).
  if (storeError !== undefined) throw storeError;
  const chosen = signInLimitersFor(settings.store, {
    clock,
    production: process.env.NODE_ENV === "production",
    tcpRedis: nodeTcpRedis(),
  });
  limits = createSignInLimits({
    settings: settings.signIn,
    sharedLimiter: chosen.limiterFor,
    sharedIsLocal: chosen.local,
    hash: createKeyedHash(settings.secrets[0]),
    clock,
    onEvent: (event: SignInEvent) =>
      console.warn(
        JSON.stringify({ time: new Date(clock.now()).toISOString(), level: "warn", source: "signin", ...event }),
      ),
  });
  return limits;
}
