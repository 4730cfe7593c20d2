/**
 * Counters that tests and load tests read to prove the app's claims from the backend's side: how many
 * refreshes really happened, whether any refresh token was reused, how many refreshes overlapped.
 */

export interface BackendStats {
  logins: number;
  loginFailures: number;
  /**
   * Refreshes that issued something new: rotations, and under `rotation: "none"` access-token renewals.
   * Reuses answered inside the reuse interval are counted in `reuseWithinInterval` instead.
   */
  refreshes: number;
  /** Every request to the refresh endpoint, whatever its outcome. */
  refreshAttempts: number;
  reuseDetections: number;
  /** `rotation: "reuse-interval"`: consumed refresh tokens presented again in time, answered with their successor. */
  reuseWithinInterval: number;
  /** Families revoked, by reuse detection or by sign-out. */
  familiesRevoked: number;
  /** Requests to the sign-out endpoints (`POST /api/auth/logout`, `POST /oauth/revoke`), whatever their outcome. */
  revocationRequests: number;
  /** Sign-out requests that revoked a family that was still active. */
  revocations: number;
  profileRequests: number;
  profileUnauthorized: number;
  /** A gauge, not a counter: refresh requests received and not yet answered or abandoned. */
  inFlightRefreshes: number;
  maxConcurrentRefreshes: number;
}

export interface StatsRecorder {
  readonly current: BackendStats;
  count(key: Exclude<keyof BackendStats, "inFlightRefreshes" | "maxConcurrentRefreshes">): void;
  /** Marks a refresh as in flight; the returned function ends it and is safe to call more than once. */
  refreshStarted(): () => void;
  snapshot(): BackendStats;
  /**
   * Zeroes the counters. In-flight refreshes stay counted, or the gauge would go negative when they end,
   * and the maximum restarts from them.
   */
  reset(): void;
}

export function createStatsRecorder(): StatsRecorder {
  const current = zeroStats();

  return {
    current,
    count(key) {
      current[key] += 1;
    },
    refreshStarted() {
      current.inFlightRefreshes += 1;
      current.maxConcurrentRefreshes = Math.max(current.maxConcurrentRefreshes, current.inFlightRefreshes);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        current.inFlightRefreshes -= 1;
      };
    },
    snapshot() {
      return { ...current };
    },
    reset() {
      Object.assign(current, zeroStats(), {
        inFlightRefreshes: current.inFlightRefreshes,
        maxConcurrentRefreshes: current.inFlightRefreshes,
      });
    },
  };
}

function zeroStats(): BackendStats {
  return {
    logins: 0,
    loginFailures: 0,
    refreshes: 0,
    refreshAttempts: 0,
    reuseDetections: 0,
    reuseWithinInterval: 0,
    familiesRevoked: 0,
    revocationRequests: 0,
    revocations: 0,
    profileRequests: 0,
    profileUnauthorized: 0,
    inFlightRefreshes: 0,
    maxConcurrentRefreshes: 0,
  };
}
