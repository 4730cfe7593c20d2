/**
 * The refresh coordinator: however many requests, tabs and isolates carry the same expiring session, one
 * backend refresh is sent per refresh token, and everyone gets its result.
 *
 * For one refresh token: requests in this isolate share one flight; the flight asks the lock store, in one
 * atomic step, for a stored outcome (a late request: `replayed`), else the lock (`refreshed`: this request
 * leads), else it waits and asks again (`joined`), taking over if the leader vanished. The leader stores
 * the outcome for everyone: the successor for the grace window, a refusal briefly, and "unavailable" for
 * a moment so an outage is not answered by a herd of backend calls.
 *
 * Every rotation policy is one loop: a stored successor whose access token is due again is followed
 * forward to its own refresh token; when that is the same token (a backend that does not rotate), it is
 * marked stale and the next claim leads a new refresh. A flight never waits on another flight, never
 * visits a token twice, and never outlives the wait limit.
 */
import type { BackendResult } from "../backend/result";
import type { BackendTokens } from "../backend/tokens";
import { systemClock, type Clock } from "../clock";
import { describeError, isSessionError } from "../errors";
import { refreshDue } from "../session/claims";
import { BoundedMap } from "../support/bounded-map";
import { createEventLogger, type CoordinatorEvent, type RefreshRole } from "./events";
import { createLatencyEstimate } from "./latency";
import type { ClaimResult, LockStore } from "./lock-store";
import { outcomeOf, unavailable, type RefreshOutcome } from "./outcome";
import { createSealer, type SealedOutcome, type SealingKeys } from "./sealing";
import { createSingleFlight } from "./single-flight";

/** The lock outlives the backend call by this much, so a live leader never loses it to a waiter. */
export const LOCK_MARGIN_MS = 2_000;
/** How long a refusal is stored for waiters and late requests: the token is dead anyway. */
export const REJECTED_MARKER_TTL_MS = 10_000;
/** How long other requests back off after the backend failed: the 503's Retry-After. */
export const UNAVAILABLE_MARKER_TTL_MS = 2_000;
/** Successors followed forward from one refresh token before giving up; a real chain is 1 or 2 long. */
export const MAX_SUCCESSOR_CHAIN = 8;
/** A refused refresh token is remembered in the isolate this long, so dead cookies cost no I/O at all. */
export const REFUSED_MEMORY_MS = 60_000;
const REFUSED_MEMORY_ENTRIES = 10_000;
/** Storing a successful refresh's outcome is retried: without it, waiters elsewhere would replay a consumed token. */
export const SETTLE_ATTEMPTS = 3;
const SETTLE_BACKOFF_MS = [50, 250] as const;
/** How soon to ask again after a store timeout. */
const TIMEOUT_RETRY_MS = 50;

export interface RefreshBackend {
  refresh(refreshToken: string): Promise<BackendResult<BackendTokens>>;
  revoke?(refreshToken: string): Promise<BackendResult<"revoked"> | { readonly kind: "skipped" }>;
}

export interface CoordinatorSettings {
  /** How long a rotated-away refresh token still maps to its successor. */
  readonly graceMs: number;
  /** The backend call's own timeout; the lock lives LOCK_MARGIN_MS longer. */
  readonly backendTimeoutMs: number;
  /** When an access token counts as due (the gate's rule), so a used-up successor is not handed out. */
  readonly refreshSkewMs: number;
  /**
   * Whether a request may call the backend without the lock when the store fails. Only safe where a
   * parallel refresh cannot be taken for token reuse: the in-memory store (one instance), or a backend
   * declared non-rotating or with a reuse interval.
   */
  readonly unlockedWhenStoreFails: boolean;
  /**
   * How long others back off after a failed backend call (the "unavailable" marker); default
   * UNAVAILABLE_MARKER_TTL_MS. 0 stores nothing and only frees the lock: the benchmark's "before".
   */
  readonly unavailableBackoffMs?: number;
}

export interface SignOutResult {
  readonly revoked: "revoked" | "skipped" | "failed";
  /** Earlier tokens whose stored successors were deleted; null when the store failed. */
  readonly chainForgotten: number | null;
}

export interface RefreshCoordinator {
  refresh(tokens: BackendTokens): Promise<RefreshOutcome>;
  /** Ends a session: revokes at the backend, refuses the token here and in the store, forgets its chain. */
  signOut(refreshToken: string): Promise<SignOutResult>;
  /** Flights running in this isolate; bounded, and zero when idle. */
  inFlight(): number;
}

export interface CoordinatorOptions {
  readonly store: LockStore;
  readonly backend: RefreshBackend;
  readonly settings: CoordinatorSettings;
  readonly clock?: Clock;
  /** Told about every refresh and degraded event; the default writes one JSON line each. */
  readonly onEvent?: (event: CoordinatorEvent) => void;
}

/** What one flight did, for its log line. */
interface FlightRecord {
  role: RefreshRole;
  lockWaitMs: number;
  backendMs: number | null;
  storeCommands: number;
  chainLength: number;
  waited: boolean;
}

type Step = RefreshOutcome | { readonly kind: "follow"; readonly tokens: BackendTokens };

export function createRefreshCoordinator(options: CoordinatorOptions): RefreshCoordinator {
  const { store, backend, settings } = options;
  const clock = options.clock ?? systemClock;
  const onEvent = options.onEvent ?? createEventLogger({ instance: crypto.randomUUID().slice(0, 8) });
  const sealer = createSealer();
  const flights = createSingleFlight<RefreshOutcome>();
  const riders = new Map<string, number>();
  const refused = new BoundedMap<string, number>(REFUSED_MEMORY_ENTRIES);
  const latency = createLatencyEstimate();
  const lockTtlMs = settings.backendTimeoutMs + LOCK_MARGIN_MS;
  /** No request waits on the coordinator longer than this, whatever the store or the backend does. */
  const waitLimitMs = lockTtlMs + 1_000;

  function remembersRefusal(refreshToken: string): boolean {
    const until = refused.get(refreshToken);
    if (until === undefined) return false;
    if (until > clock.now()) return true;
    refused.delete(refreshToken);
    return false;
  }

  function rememberRefusal(refreshToken: string): void {
    refused.set(refreshToken, clock.now() + REFUSED_MEMORY_MS);
  }

  async function flight(refreshToken: string): Promise<RefreshOutcome> {
    const record: FlightRecord = { role: "none", lockWaitMs: 0, backendMs: null, storeCommands: 0, chainLength: 0, waited: false };
    const started = clock.now();
    const owner = crypto.randomUUID();
    const deadline = started + waitLimitMs;
    const visited = new Set([refreshToken]);
    let token = refreshToken;
    let outcome: RefreshOutcome;
    try {
      for (;;) {
        const step = await resolve(token, await sealer.keysFor(token), owner, deadline, record);
        if (step.kind !== "follow") {
          outcome = step;
          break;
        }
        // A successor that is itself due: follow it to its own refresh token, never to one seen before.
        const next = step.tokens.refreshToken;
        if (visited.has(next) || visited.size >= MAX_SUCCESSOR_CHAIN) {
          outcome = unavailable("the stored successors loop or run too long");
          break;
        }
        visited.add(next);
        token = next;
        record.chainLength++;
      }
    } catch (error) {
      // Nothing above should throw; if it does, the request is answered and the session kept.
      outcome = unavailable(`refresh failed unexpectedly: ${describeError(error)}`);
    }
    if (record.role === "none" && record.waited) record.lockWaitMs = clock.now() - started;
    const requests = 1 + (riders.get(refreshToken) ?? 0);
    riders.delete(refreshToken);
    onEvent({
      event: "refresh",
      outcome: outcome.kind,
      role: record.role,
      requests,
      lockWaitMs: Math.round(record.lockWaitMs),
      backendMs: record.backendMs === null ? null : Math.round(record.backendMs),
      storeCommands: record.storeCommands,
      chainLength: record.chainLength,
      ...(outcome.kind === "unavailable" || outcome.kind === "rejected" ? { detail: outcome.detail } : {}),
    });
    return outcome;
  }

  /** One refresh token's turn: claim until there is an outcome to take, a lead to take, or no time left. */
  async function resolve(token: string, keys: SealingKeys, owner: string, deadline: number, record: FlightRecord): Promise<Step> {
    let stale: string | undefined;
    let uncertain = false;
    let waits = 0;
    let firstBusyAt = 0;
    let lockAgeAtFirstBusy = 0;
    for (;;) {
      if (clock.now() >= deadline) return unavailable("timed out waiting for another request's refresh");
      let claim: ClaimResult | null = null;
      try {
        record.storeCommands++;
        claim = await store.claim(keys, owner, lockTtlMs, stale);
      } catch (error) {
        const code = isSessionError(error) ? error.code : "STORE_UNREACHABLE";
        if (code !== "STORE_TIMEOUT") {
          // The store said no outright. Refreshing without the lock is only safe where a parallel refresh
          // elsewhere cannot be taken for token reuse; otherwise keep the session and answer 503.
          if (settings.unlockedWhenStoreFails && !record.waited && !uncertain) {
            onEvent({ event: "store-failed", code, action: "unlocked-refresh", detail: describeError(error) });
            record.role = "unlocked";
            return timedBackendCall(token, record).then(outcomeOf);
          }
          onEvent({ event: "store-failed", code, action: "unavailable", detail: describeError(error) });
          return unavailable(`the lock store failed (${code})`);
        }
        // A timeout proves nothing: the store may be fine and a leader busy, or our own claim may have
        // gone through (the claim is re-entrant, so asking again tells). Keep asking until the deadline.
        if (!uncertain) onEvent({ event: "store-failed", code, action: "retrying", detail: describeError(error) });
        uncertain = true;
      }

      if (claim?.kind === "leader") {
        if (record.waited) record.lockWaitMs = clock.now() - firstBusyAt;
        return lead(token, keys, owner, record);
      }
      if (claim?.kind === "successor") {
        let stored: SealedOutcome;
        try {
          stored = await sealer.unseal(keys, claim.sealed);
        } catch (error) {
          onEvent({ event: "store-value-invalid", detail: describeError(error) });
          return unavailable("a stored outcome could not be read");
        }
        if (record.role === "none") record.role = record.waited ? "waiter" : "replay";
        if (record.waited) {
          record.lockWaitMs = clock.now() - firstBusyAt;
          latency.observe(lockAgeAtFirstBusy + record.lockWaitMs);
        }
        if (stored.kind === "rejected") {
          rememberRefusal(token);
          return { kind: "rejected", detail: "the backend refused this refresh token" };
        }
        if (stored.kind === "unavailable") return unavailable(stored.detail);
        const tokens = stored.tokens;
        if (!refreshDue(tokens, clock.now(), settings.refreshSkewMs)) {
          return { kind: record.waited ? "joined" : "replayed", tokens };
        }
        if (tokens.refreshToken !== token) return { kind: "follow", tokens };
        // A backend that does not rotate: this successor carries the token we hold, and is used up. Ask
        // again, ignoring exactly this value, to lead the next refresh (or find a newer outcome).
        stale = claim.sealed;
        continue;
      }

      if (claim !== null && !record.waited) {
        record.waited = true;
        firstBusyAt = clock.now();
        lockAgeAtFirstBusy = lockTtlMs - claim.lockTtlMs;
      }
      const remaining = deadline - clock.now();
      if (remaining <= 0) return unavailable(claim ? "timed out waiting for another request's refresh" : "the lock store did not answer in time");
      const wait = claim === null ? TIMEOUT_RETRY_MS : latency.nextWait(lockAgeAtFirstBusy + (clock.now() - firstBusyAt), waits++);
      await clock.sleep(Math.max(1, Math.min(wait, remaining, claim ? Math.max(claim.lockTtlMs, 1) : wait)));
    }
  }

  async function timedBackendCall(token: string, record: FlightRecord): Promise<BackendResult<BackendTokens>> {
    const started = clock.now();
    const result = await backend.refresh(token);
    record.backendMs = clock.now() - started;
    return result;
  }

  async function lead(token: string, keys: SealingKeys, owner: string, record: FlightRecord): Promise<RefreshOutcome> {
    record.role = "leader";
    const result = await timedBackendCall(token, record);
    const outcome = outcomeOf(result);
    switch (result.kind) {
      case "ok": {
        if (record.backendMs !== null) latency.observe(record.backendMs);
        const successor = result.value;
        const link = successor.refreshToken === token ? undefined : { previousKey: (await sealer.keysFor(successor.refreshToken)).previous, previousId: keys.id };
        await settle(keys, owner, { kind: "refreshed", tokens: successor }, settings.graceMs, record, link);
        break;
      }
      case "rejected":
        rememberRefusal(token);
        await settle(keys, owner, { kind: "rejected" }, REJECTED_MARKER_TTL_MS, record);
        break;
      case "misconfigured":
        onEvent({ event: "backend-misconfigured", detail: result.detail });
        await backOff(keys, owner, "backend misconfigured", record);
        break;
      case "malformed":
      case "unavailable":
        onEvent({ event: "backend-unavailable", detail: result.detail });
        await backOff(keys, owner, "backend unavailable", record);
        break;
    }
    return outcome;
  }

  /** After a failed call: others answer "unavailable" for the back-off, without calling the backend too. */
  async function backOff(keys: SealingKeys, owner: string, detail: string, record: FlightRecord): Promise<void> {
    const backoffMs = settings.unavailableBackoffMs ?? UNAVAILABLE_MARKER_TTL_MS;
    if (backoffMs > 0) return settle(keys, owner, { kind: "unavailable", detail }, backoffMs, record);
    record.storeCommands++;
    await store.release(keys.lock, owner).catch(() => false);
  }

  async function settle(
    keys: SealingKeys,
    owner: string,
    outcome: SealedOutcome,
    ttlMs: number,
    record: FlightRecord,
    link?: { previousKey: string; previousId: string },
  ): Promise<void> {
    const sealed = await sealer.seal(keys, outcome);
    let lastError: unknown;
    for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
      if (attempt > 0) await clock.sleep(SETTLE_BACKOFF_MS[Math.min(attempt, SETTLE_BACKOFF_MS.length) - 1]!);
      try {
        record.storeCommands++;
        await store.settle(keys, owner, sealed, ttlMs, link);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    // This isolate's requests still get the outcome (it is the flight's result); waiters elsewhere will
    // time out, or take the lock over when it expires.
    onEvent({ event: "settle-failed", attempts: SETTLE_ATTEMPTS, detail: describeError(lastError) });
  }

  return {
    refresh(tokens) {
      const refreshToken = tokens.refreshToken;
      if (remembersRefusal(refreshToken)) return Promise.resolve({ kind: "rejected", detail: "this refresh token was refused moments ago" });
      const { promise, shared } = flights.run(refreshToken, () => withWatchdog(flight(refreshToken), waitLimitMs));
      if (!shared) return promise;
      riders.set(refreshToken, (riders.get(refreshToken) ?? 0) + 1);
      // Requests that rode along on this isolate's flight waited for it: they joined.
      return promise.then((outcome) => (outcome.kind === "refreshed" ? { kind: "joined", tokens: outcome.tokens } : outcome));
    },

    async signOut(refreshToken) {
      rememberRefusal(refreshToken);
      const [revocation, forgotten] = await Promise.allSettled([
        backend.revoke ? backend.revoke(refreshToken) : Promise.resolve({ kind: "skipped" } as const),
        (async () => {
          const keys = await sealer.keysFor(refreshToken);
          const ttlMs = Math.max(settings.graceMs, REJECTED_MARKER_TTL_MS);
          return store.forget(keys, await sealer.seal(keys, { kind: "rejected" }), ttlMs, MAX_SUCCESSOR_CHAIN);
        })(),
      ]);
      const revoked = revocation.status === "fulfilled" && (revocation.value.kind === "ok" || revocation.value.kind === "skipped") ? (revocation.value.kind === "ok" ? "revoked" : "skipped") : "failed";
      const chainForgotten = forgotten.status === "fulfilled" ? forgotten.value : null;
      const problems = [
        revocation.status === "rejected" ? describeError(revocation.reason) : revoked === "failed" && revocation.status === "fulfilled" ? JSON.stringify(revocation.value) : undefined,
        forgotten.status === "rejected" ? describeError(forgotten.reason) : undefined,
      ].filter((problem): problem is string => problem !== undefined);
      onEvent({ event: "sign-out", revoked, chainForgotten, ...(problems.length > 0 ? { detail: problems.join("; ") } : {}) });
      return { revoked, chainForgotten };
    },

    inFlight: () => flights.size(),
  };
}

/**
 * The hard bound: whatever a store or backend does (a promise that never settles), the request is answered
 * `unavailable` at the wait limit and the single-flight entry is cleared. The flight itself may go on
 * and still store its outcome for later requests. Real time on purpose: an injected test clock must not
 * be able to fire it early.
 */
function withWatchdog(flight: Promise<RefreshOutcome>, limitMs: number): Promise<RefreshOutcome> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchdog = new Promise<RefreshOutcome>((resolve) => {
    timer = setTimeout(() => resolve(unavailable(`no refresh outcome within ${limitMs} ms`)), limitMs);
  });
  return Promise.race([flight, watchdog]).finally(() => clearTimeout(timer));
}
