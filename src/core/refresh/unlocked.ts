/**
 * The baseline the load test compares against: next-auth's documented recipe, where every request that
 * sees an expired token calls the backend itself, with no lock and no successor cache. Against a rotating
 * backend, concurrent requests replay a consumed refresh token and the backend revokes the session.
 * Only built when SESSION_UNLOCKED_BASELINE=1, which settings refuse in production.
 */
import type { RefreshBackend, RefreshCoordinator, RefreshOutcome } from "./coordinator";
import { RETRY_AFTER_SECONDS } from "./coordinator";

export function createUnlockedRefresher(backend: RefreshBackend): RefreshCoordinator {
  let running = 0;
  return {
    async refresh(tokens): Promise<RefreshOutcome> {
      running++;
      try {
        const result = await backend.refresh(tokens.refreshToken);
        if (result.kind === "ok") return { kind: "refreshed", tokens: result.value };
        if (result.kind === "rejected") return { kind: "rejected", detail: `the backend refused the refresh (${result.status})` };
        return { kind: "unavailable", detail: result.kind, retryAfterSeconds: RETRY_AFTER_SECONDS };
      } finally {
        running--;
      }
    },
    inFlight: () => running,
  };
}
