/**
 * The refresh coordinator: however many requests, tabs and isolates carry the same expiring session, one
 * backend refresh is sent per refresh token, and everyone gets its result.
 *
 * For one refresh token: requests in this isolate share one flight; the flight asks the lock store, in one
 * atomic step, for a stored successor (a late request: `replayed`), else the lock (`refreshed`: this
 * request leads), else it waits and asks again (`joined`), taking over if the leader vanished. The leader
 * stores the successor for the grace window and releases its lock only if it still owns it; a refusal is
 * stored briefly so waiters fail fast; a transient failure just releases the lock. A successor whose own
 * access token has run out is followed forward, so an old cookie leads to the newest tokens.
 */
import { isSessionError } from "../errors";
import type { BackendTokens } from "../session/claims";
import type { BackendResult } from "../backend/client";
import type { LockStore, RefreshKeys } from "./lock-store";
import { createSealer } from "./sealing";
import { createSingleFlight } from "./single-flight";

/** The lock outlives the backend call by this much, so a live leader never loses it to a waiter. */
export const LOCK_MARGIN_MS = 2_000;
/** How long a refusal is remembered: long enough for a storm's waiters, short since the token is dead anyway. */
export const REJECTED_MARKER_TTL_MS = 10_000;
/** Waiters re-ask quickly at first (most refreshes are fast), then settle at the cap. */
export const FIRST_POLL_MS = 10;
export const MAX_POLL_MS = 40;
/** Successors followed forward from one refresh token before giving up; a real chain is 1 or 2 long. */
export const MAX_SUCCESSOR_CHAIN = 8;
/** What a 503 tells the client to wait before trying again. */
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

export interface RefreshBackend {
  refresh(refreshToken: string): Promise<BackendResult<BackendTokens>>;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface CoordinatorSettings {
  /** How long a rotated-away refresh token still maps to its successor. */
  readonly graceMs: number;
  /** The backend call's own timeout; the lock lives LOCK_MARGIN_MS longer. */
  readonly backendTimeoutMs: number;
}

export interface CoordinatorEvent {
  readonly event: "store-unreachable" | "store-value-invalid" | "settle-failed";
  readonly detail: string;
}

export interface RefreshCoordinator {
  refresh(tokens: BackendTokens): Promise<RefreshOutcome>;
  /** Flights running in this isolate; bounded, and zero when idle. */
  inFlight(): number;
}

export interface CoordinatorOptions {
  readonly store: LockStore;
  readonly backend: RefreshBackend;
  readonly secret: string;
  readonly settings: CoordinatorSettings;
  readonly clock?: Clock;
  /** Told about degraded operation; the default logs each kind of event once per isolate. */
  readonly onEvent?: (event: CoordinatorEvent) => void;
}

const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createRefreshCoordinator(options: CoordinatorOptions): RefreshCoordinator {
  const { store, backend, settings } = options;
  const clock = options.clock ?? systemClock;
  const onEvent = options.onEvent ?? logOncePerKind();
  const sealer = createSealer(options.secret);
  const flights = createSingleFlight<RefreshOutcome>();
  const lockTtlMs = settings.backendTimeoutMs + LOCK_MARGIN_MS;
  const waitLimitMs = lockTtlMs + 1_000;

  function refreshShared(refreshToken: string, depth: number): Promise<RefreshOutcome> {
    const { promise, shared } = flights.run(refreshToken, () => flight(refreshToken, depth));
    if (!shared) return promise;
    // Requests that rode along on this isolate's flight waited for it: they joined.
    return promise.then((outcome) => (outcome.kind === "refreshed" ? { kind: "joined", tokens: outcome.tokens } : outcome));
  }

  async function flight(refreshToken: string, depth: number): Promise<RefreshOutcome> {
    const keys = await sealer.keysFor(refreshToken);
    const owner = crypto.randomUUID();
    const deadline = clock.now() + waitLimitMs;
    let waited = false;
    let uncertain = false;
    let pollMs = FIRST_POLL_MS;

    for (;;) {
      let claim;
      try {
        claim = await store.claim(keys, owner, lockTtlMs);
      } catch (error) {
        onEvent({ event: "store-unreachable", detail: describe(error) });
        // A store that refused us outright, before anyone was seen leading: this isolate's single-flight
        // is the best lock left. But a timeout proves nothing (the store may be fine and a leader busy,
        // or our own claim may have gone through), and once a leader was seen, calling the backend
        // ourselves would replay its token and get the family revoked. Then: keep asking until the wait
        // limit, and at worst answer `unavailable`, which keeps the session.
        if (!waited && !uncertain && !isSessionError(error, "STORE_TIMEOUT")) return direct(refreshToken);
        uncertain = true;
        claim = null;
      }

      if (claim?.kind === "leader") return lead(refreshToken, keys, owner);
      if (claim?.kind === "successor") return takeSuccessor(keys, claim.sealed, waited || uncertain, depth);

      if (claim) waited = true;
      const remaining = deadline - clock.now();
      if (remaining <= 0) {
        return unavailable(claim ? "timed out waiting for another request's refresh" : "the lock store did not answer in time");
      }
      await clock.sleep(Math.min(pollMs, remaining, Math.max(claim?.lockTtlMs ?? pollMs, 1)));
      pollMs = Math.min(Math.ceil(pollMs * 1.5), MAX_POLL_MS);
    }
  }

  async function takeSuccessor(keys: RefreshKeys, sealed: string, waited: boolean, depth: number): Promise<RefreshOutcome> {
    let outcome;
    try {
      outcome = await sealer.unseal(keys.successor, sealed);
    } catch (error) {
      if (!isSessionError(error, "STORE_VALUE_INVALID")) throw error;
      onEvent({ event: "store-value-invalid", detail: "a stored successor failed authentication (secret changed or store tampered)" });
      return unavailable("a stored successor could not be read");
    }
    if (outcome.kind === "rejected") return { kind: "rejected", detail: "the backend refused this refresh token" };
    const tokens = outcome.tokens;
    if (tokens.accessTokenExpires > clock.now() || depth >= MAX_SUCCESSOR_CHAIN) {
      return { kind: waited ? "joined" : "replayed", tokens };
    }
    // The successor has itself run out: follow it forward (it may have a successor of its own, or we lead).
    const next = await refreshShared(tokens.refreshToken, depth + 1);
    return next.kind === "refreshed" || next.kind === "rejected" || next.kind === "unavailable" ? next : { ...next, kind: waited ? "joined" : "replayed" };
  }

  async function lead(refreshToken: string, keys: RefreshKeys, owner: string): Promise<RefreshOutcome> {
    const result = await backend.refresh(refreshToken);
    const outcome = outcomeOf(result);
    if (result.kind === "ok") {
      await settle(keys, owner, { kind: "refreshed", tokens: result.value }, settings.graceMs);
    } else if (result.kind === "rejected") {
      await settle(keys, owner, { kind: "rejected" }, REJECTED_MARKER_TTL_MS);
    } else {
      // Nothing to share: free the lock so the next request can try, instead of waiting it out.
      await store.release(keys.lock, owner).catch(() => false);
    }
    return outcome;
  }

  async function settle(keys: RefreshKeys, owner: string, outcome: Parameters<typeof sealer.seal>[1], ttlMs: number): Promise<void> {
    try {
      await store.settle(keys, owner, await sealer.seal(keys.successor, outcome), ttlMs);
    } catch (error) {
      // The refresh itself succeeded; only late requests lose their shortcut. Waiters will time out.
      onEvent({ event: "settle-failed", detail: describe(error) });
    }
  }

  async function direct(refreshToken: string): Promise<RefreshOutcome> {
    return outcomeOf(await backend.refresh(refreshToken));
  }

  return {
    refresh: (tokens) => refreshShared(tokens.refreshToken, 0),
    inFlight: () => flights.size(),
  };
}

/** What one backend refresh call means for the request that made it. */
export function outcomeOf(result: BackendResult<BackendTokens>): RefreshOutcome {
  switch (result.kind) {
    case "ok":
      return { kind: "refreshed", tokens: result.value };
    case "rejected":
      return { kind: "rejected", detail: `the backend refused the refresh (${result.status})` };
    case "malformed":
      return unavailable(`the backend's answer was unusable: ${result.detail}`);
    case "unavailable":
      return unavailable(result.detail);
  }
}

function unavailable(detail: string): RefreshOutcome {
  return { kind: "unavailable", detail, retryAfterSeconds: RETRY_AFTER_SECONDS };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The store wraps the client's error; the cause is what tells an operator what to fix.
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.name}: ${error.cause.message})` : "";
  return `${error.name}: ${error.message}${cause}`;
}

function logOncePerKind(): (event: CoordinatorEvent) => void {
  const seen = new Set<string>();
  return ({ event, detail }) => {
    if (seen.has(event)) return;
    seen.add(event);
    console.warn(`[session] ${event}: ${detail} (logged once per isolate)`);
  };
}
