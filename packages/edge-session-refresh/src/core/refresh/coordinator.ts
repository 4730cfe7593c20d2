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
 * What to do after each answer is decided by one pure function, `decide` (decide.ts, a table); this file
 * only does the I/O around it: claim, sleep, call the backend, settle. A flight never waits on another
 * flight, never visits a token twice, and never outlives the wait limit.
 */
import type { BackendResult } from "../backend/result";
import type { BackendTokens } from "../backend/tokens";
import { systemClock, type Clock } from "../clock";
import { describeError } from "../errors";
import { BoundedMap } from "../support/bounded-map";
import { beforeClaim, decide, startFlight, type Decision, type FlightState, type StoreAnswer } from "./decide";
import { createEventLogger, type CoordinatorEvent } from "./events";
import { newFlightFacts, refreshEvent, type FlightFacts } from "./flight-record";
import { createLatencyEstimate, type TimedClaim } from "./latency";
import type { LockStore, SuccessorLink } from "./lock-store";
import { outcomeOf, RETRY_AFTER_SECONDS, unavailable, type RefreshOutcome } from "./outcome";
import { createSealer, type SealedOutcome, type SealingKeys } from "./sealing";
import { settlePlan } from "./settle-plan";
import { createSignOut, type SignOutResult } from "./sign-out";
import { createSingleFlight } from "./single-flight";
import { storeFailureCode } from "./store-failure";

/** The lock outlives the backend call by this much, so a live leader never loses it to a waiter. */
export const LOCK_MARGIN_MS = 2_000;
/** How long a refusal is stored for waiters and late requests: the token is dead anyway. */
export const REJECTED_MARKER_TTL_MS = 10_000;
/** How long other requests back off after the backend failed: exactly the 503's Retry-After. */
export const UNAVAILABLE_MARKER_TTL_MS = RETRY_AFTER_SECONDS * 1_000;
/** Refresh tokens one flight asks about, the cookie's included, before giving up; a real chain is 1 or 2 long. */
export const MAX_SUCCESSOR_CHAIN = 8;
/** A refused refresh token is remembered in the isolate this long, so dead cookies cost no I/O at all. */
export const REFUSED_MEMORY_MS = 60_000;
const REFUSED_MEMORY_ENTRIES = 10_000;
/** Storing a successful refresh's outcome is retried: without it, waiters elsewhere would replay a consumed token. */
export const SETTLE_ATTEMPTS = 3;
const SETTLE_BACKOFF_MS = [50, 250] as const;
/**
 * After those attempts, a successor is still offered to the store this often, in the background, for as long
 * as the leader's lock keeps others from leading: a store that comes back in that time (a restart, a
 * failover) gets it, and a late request replays it instead of reusing the consumed token.
 */
const SETTLE_LATER_INTERVAL_MS = 250;

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

/** One settlement: the outcome stored under the flight's keys for ttlMs, and our lock freed. */
interface Settlement {
  readonly keys: SealingKeys;
  readonly owner: string;
  readonly outcome: SealedOutcome;
  readonly ttlMs: number;
  readonly facts: FlightFacts;
  readonly link?: SuccessorLink;
  /** Set for a refresh: a failed store is retried in the background until our lock would have expired. */
  readonly lockHeldUntil?: number;
}

export function createRefreshCoordinator(options: CoordinatorOptions): RefreshCoordinator {
  const { store, backend, settings } = options;
  const clock = options.clock ?? systemClock;
  const onEvent = options.onEvent ?? createEventLogger({ instance: crypto.randomUUID().slice(0, 8) });
  const sealer = createSealer();
  const flights = createSingleFlight<RefreshOutcome>();
  const riders = new Map<string, number>();
  const refused = new BoundedMap<string, number>(REFUSED_MEMORY_ENTRIES);
  /** How long a leader takes from its claim's answer to its settle: what waiters time their re-claim by. */
  const refreshTime = createLatencyEstimate();
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
    const facts = newFlightFacts();
    let outcome: RefreshOutcome;
    try {
      outcome = await fly(refreshToken, facts);
    } catch (error) {
      // Nothing in fly() should throw; if it does, the request is answered and the session kept.
      outcome = unavailable(`refresh failed unexpectedly: ${describeError(error)}`);
    }
    const requests = 1 + (riders.get(refreshToken) ?? 0);
    riders.delete(refreshToken);
    onEvent(refreshEvent(facts, outcome, requests, clock.now()));
    return outcome;
  }

  /** The loop: claim, let `decide` say what that means, do it. */
  async function fly(refreshToken: string, facts: FlightFacts): Promise<RefreshOutcome> {
    const owner = crypto.randomUUID();
    let state: FlightState = startFlight(refreshToken, clock.now() + waitLimitMs);
    let keys = await sealer.keysFor(state.token);
    for (;;) {
      let decision: Decision | null = beforeClaim(state, clock.now());
      let claim: TimedClaim | null = null;
      if (decision === null) {
        const asked = await ask(keys, owner, state.ignoring, facts);
        claim = asked.claim;
        decision = decide(asked.answer, state, claim, {
          now: claim.answeredAt,
          refreshSkewMs: settings.refreshSkewMs,
          unlockedWhenStoreFails: settings.unlockedWhenStoreFails,
          refreshMs: refreshTime.current(),
          maxChain: MAX_SUCCESSOR_CHAIN,
        });
      }
      if (decision.report) onEvent(decision.report);
      if (decision.refreshSeen !== undefined) refreshTime.observe(decision.refreshSeen);
      const { action } = decision;
      state = decision.next;
      facts.waitingSince = state.waitingSince;
      if (action.kind !== "ask-again") facts.last = { action: action.kind, at: clock.now() };
      switch (action.kind) {
        case "ask-again":
          if (action.afterMs > 0) await clock.sleep(action.afterMs);
          continue;
        case "follow":
          facts.chainLength++;
          keys = await sealer.keysFor(state.token);
          continue;
        case "lead":
          // A lead after a timed-out claim may hold the lock since the lost claim: no refresh time to learn.
          return lead(state.token, keys, owner, state.uncertain ? null : claim, facts);
        case "take":
          if (action.outcome.kind === "rejected") rememberRefusal(state.token);
          return action.outcome;
        case "refresh-unlocked":
          return outcomeOf(await timedBackendCall(state.token, facts));
        case "give-up":
          return action.outcome;
      }
    }
  }

  /** One claim, read into a StoreAnswer, and timed. */
  async function ask(
    keys: SealingKeys,
    owner: string,
    ignoring: string | undefined,
    facts: FlightFacts,
  ): Promise<{ answer: StoreAnswer; claim: TimedClaim }> {
    const sentAt = clock.now();
    facts.storeCommands++;
    try {
      const result = await store.claim(keys, owner, lockTtlMs, ignoring);
      const claim = { sentAt, answeredAt: clock.now() };
      if (result.kind === "leader") return { answer: { kind: "leader" }, claim };
      if (result.kind === "busy")
        return {
          answer: { kind: "busy", lockAgeMs: lockTtlMs - result.lockTtlMs, lockTtlMs: result.lockTtlMs },
          claim,
        };
      try {
        return {
          answer: { kind: "stored", outcome: await sealer.unseal(keys, result.sealed), sealed: result.sealed },
          claim,
        };
      } catch (error) {
        return { answer: { kind: "unreadable", detail: describeError(error) }, claim };
      }
    } catch (error) {
      const code = storeFailureCode(error);
      const claim = { sentAt, answeredAt: clock.now() };
      const detail = describeError(error);
      return {
        answer: code === "STORE_TIMEOUT" ? { kind: "timeout", detail } : { kind: "refused", code, detail },
        claim,
      };
    }
  }

  async function timedBackendCall(token: string, facts: FlightFacts): Promise<BackendResult<BackendTokens>> {
    const started = clock.now();
    const result = await backend.refresh(token);
    facts.backendMs = clock.now() - started;
    return result;
  }

  /** Holding the lock: call the backend, then settle as the table says (settle-plan.ts). */
  async function lead(
    token: string,
    keys: SealingKeys,
    owner: string,
    claim: TimedClaim | null,
    facts: FlightFacts,
  ): Promise<RefreshOutcome> {
    const result = await timedBackendCall(token, facts);
    const plan = settlePlan(result, {
      token,
      claim,
      now: clock.now(),
      lockTtlMs,
      graceMs: settings.graceMs,
      rejectedTtlMs: REJECTED_MARKER_TTL_MS,
      backoffMs: settings.unavailableBackoffMs ?? UNAVAILABLE_MARKER_TTL_MS,
    });
    if (plan.rememberRefusal) rememberRefusal(token);
    if (plan.event !== undefined) onEvent(plan.event);
    if (plan.kind === "release") {
      facts.storeCommands++;
      await store.release(keys.lock, owner).catch(() => false);
      return outcomeOf(result);
    }
    if (plan.refreshMs !== undefined) refreshTime.observe(plan.refreshMs);
    const link =
      plan.successorToken === undefined
        ? undefined
        : { previousKey: (await sealer.keysFor(plan.successorToken)).previous, previousId: keys.id };
    await settle({
      keys,
      owner,
      outcome: plan.outcome,
      ttlMs: plan.ttlMs,
      facts,
      link,
      lockHeldUntil: plan.lockHeldUntil,
    });
    return outcomeOf(result);
  }

  /** Stores the outcome and frees the lock, retried. */
  async function settle(settlement: Settlement): Promise<void> {
    const { keys, owner, outcome, ttlMs, facts, link, lockHeldUntil } = settlement;
    const sealed = await sealer.seal(keys, outcome);
    let lastError: unknown;
    for (let attempt = 0; attempt < SETTLE_ATTEMPTS; attempt++) {
      if (attempt > 0) await clock.sleep(SETTLE_BACKOFF_MS[Math.min(attempt, SETTLE_BACKOFF_MS.length) - 1]!);
      try {
        facts.storeCommands++;
        await store.settle(keys, owner, sealed, ttlMs, link);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    // This isolate's requests still get the outcome (it is the flight's result); waiters elsewhere will
    // time out, or take the lock over when it expires: a successor is offered again until then.
    onEvent({ event: "settle-failed", attempts: SETTLE_ATTEMPTS, detail: describeError(lastError) });
    if (outcome.kind === "refreshed" && lockHeldUntil !== undefined)
      void settleLater(keys, owner, sealed, ttlMs, link, lockHeldUntil);
  }

  /** Not awaited by anyone: bounded by the lock's life, and it never throws. */
  async function settleLater(
    keys: SealingKeys,
    owner: string,
    sealed: string,
    ttlMs: number,
    link: SuccessorLink | undefined,
    lockHeldUntil: number,
  ): Promise<void> {
    let attempts = 0;
    while (clock.now() + SETTLE_LATER_INTERVAL_MS < lockHeldUntil) {
      await clock.sleep(SETTLE_LATER_INTERVAL_MS);
      attempts++;
      try {
        await store.settle(keys, owner, sealed, ttlMs, link);
        onEvent({ event: "settle-recovered", attempts });
        return;
      } catch {
        // Still down: try again while the lock holds.
      }
    }
  }

  return {
    refresh(tokens) {
      const refreshToken = tokens.refreshToken;
      if (remembersRefusal(refreshToken))
        return Promise.resolve({ kind: "rejected", detail: "this refresh token was refused moments ago" });
      const { promise, shared } = flights.run(refreshToken, () => withWatchdog(flight(refreshToken), waitLimitMs));
      if (!shared) return promise;
      riders.set(refreshToken, (riders.get(refreshToken) ?? 0) + 1);
      // Requests that rode along on this isolate's flight waited for it: they joined.
      return promise.then((outcome) =>
        outcome.kind === "refreshed" ? { kind: "joined", tokens: outcome.tokens } : outcome,
      );
    },

    signOut: createSignOut({
      store,
      backend,
      sealer,
      refusalTtlMs: Math.max(settings.graceMs, REJECTED_MARKER_TTL_MS),
      maxLinks: MAX_SUCCESSOR_CHAIN,
      rememberRefusal,
      onEvent,
    }),

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
