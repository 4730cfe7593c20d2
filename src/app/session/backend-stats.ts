/**
 * The reference backend's counters (dev/backend `GET /__stats`), for the /session page. Only the
 * reference backend has them: any failure (another backend, 404, slow, not JSON) is simply null.
 */
export interface BackendStatsView {
  readonly refreshes: number;
  readonly refreshAttempts: number;
  readonly reuseDetections: number;
  readonly familiesRevoked: number;
  readonly logins: number;
  readonly profileRequests: number;
  readonly maxConcurrentRefreshes: number;
}

const FIELDS: ReadonlyArray<keyof BackendStatsView> = [
  "refreshes",
  "refreshAttempts",
  "reuseDetections",
  "familiesRevoked",
  "logins",
  "profileRequests",
  "maxConcurrentRefreshes",
];

/** `backendUrl` is the settings' `backend.baseUrl`, whose trailing slashes parseSettings has already taken off. */
export async function fetchBackendStats(
  backendUrl: string,
  timeoutMs = 800,
  fetchImpl: typeof fetch = fetch,
): Promise<BackendStatsView | null> {
  try {
    const response = await fetchImpl(`${backendUrl}/__stats`, {
      signal: AbortSignal.timeout(timeoutMs),
      cache: "no-store",
      redirect: "error",
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const body = (await response.json()) as Record<string, unknown>;
    const view: Record<string, number> = {};
    for (const field of FIELDS) {
      const value = body?.[field];
      if (typeof value !== "number" || !Number.isFinite(value)) return null;
      view[field] = value;
    }
    return view as unknown as BackendStatsView;
  } catch {
    return null;
  }
}
