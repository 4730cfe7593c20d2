/** What a refresh means for the request that asked: the coordinator's answer, and how a backend result maps to it. */
import type { BackendResult } from "../backend/result";
import type { BackendTokens } from "../backend/tokens";

/**
 * What a 503 tells the client to wait before trying again. The one source of the retry window: the
 * coordinator's "unavailable" marker (UNAVAILABLE_MARKER_TTL_MS) lives exactly this long, so a client that
 * obeys Retry-After finds the back-off over.
 */
export const RETRY_AFTER_SECONDS = 2;

export type RefreshOutcome =
  /** This request led: it called the backend. */
  | { readonly kind: "refreshed"; readonly tokens: BackendTokens }
  /** It waited for another request's refresh (in this isolate or elsewhere). */
  | { readonly kind: "joined"; readonly tokens: BackendTokens }
  /** A successor was already stored: an out-of-order or late request. */
  | { readonly kind: "replayed"; readonly tokens: BackendTokens }
  /** The backend refused the refresh token: the session is over. */
  | { readonly kind: "rejected"; readonly detail: string }
  /** No answer now (backend or lock store): keep the session and try again later. */
  | { readonly kind: "unavailable"; readonly detail: string; readonly retryAfterSeconds: number };

/** What one backend refresh call means for the request that made it. */
export function outcomeOf(result: BackendResult<BackendTokens>): RefreshOutcome {
  switch (result.kind) {
    case "ok":
      return { kind: "refreshed", tokens: result.value };
    case "rejected":
      return { kind: "rejected", detail: `the backend refused the refresh (${result.status})` };
    case "malformed":
      return unavailable(`the backend's answer was unusable: ${result.detail}`);
    case "misconfigured":
      return unavailable(`misconfigured: ${result.detail}`);
    case "unavailable":
      return unavailable(result.detail);
  }
}

export function unavailable(detail: string): RefreshOutcome {
  return { kind: "unavailable", detail, retryAfterSeconds: RETRY_AFTER_SECONDS };
}
