/**
 * The baseline the load test compares against: next-auth's documented recipe, where every request that
 * sees an expired token calls the backend itself, with no lock and no successor cache. Against a rotating
 * backend, concurrent requests replay a consumed refresh token and the backend revokes the session.
 * Only built when SESSION_UNLOCKED_BASELINE=1, which settings refuse in production.
 */
import type { RefreshBackend, RefreshCoordinator } from "./coordinator";
import { outcomeOf, type RefreshOutcome } from "./outcome";

export function createUnlockedRefresher(backend: RefreshBackend): RefreshCoordinator {
  let running = 0;
  return {
    async refresh(tokens): Promise<RefreshOutcome> {
      running++;
      try {
        return outcomeOf(await backend.refresh(tokens.refreshToken));
      } finally {
        running--;
      }
    },
    async signOut(refreshToken) {
      const result = backend.revoke ? await backend.revoke(refreshToken) : { kind: "skipped" as const };
      return {
        revoked: result.kind === "ok" ? "revoked" : result.kind === "skipped" ? "skipped" : "failed",
        chainForgotten: null,
      };
    },
    inFlight: () => running,
  };
}
