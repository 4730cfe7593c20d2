/**
 * The composition root: from parsed settings, one clock, codec, backend client, lock store, coordinator
 * and gate, shared by every request of an isolate.
 */
import { createBackendClient, type BackendClient } from "./backend/client";
import { systemClock, type Clock } from "./clock";
import { describeError, type SessionError } from "./errors";
import { createSessionGate, type SessionGate } from "./gate/session-gate";
import { createRefreshCoordinator, type RefreshCoordinator } from "./refresh/coordinator";
import { createEventLogger, type CoordinatorEvent } from "./refresh/events";
import type { LockStore } from "./refresh/lock-store";
import { storeFailureCode } from "./refresh/store-failure";
import { createUnlockedRefresher } from "./refresh/unlocked";
import { misconfiguredCoordinator, misconfiguredStore } from "./refresh/misconfigured";
import { createSessionCodec, type SessionCodec } from "./session/codec";
import type { Settings } from "./settings";
import type { TcpRedis } from "../stores/entry";
import { lockStoreEntry, lockStoreFor } from "../stores/table";

/** What an adapter uses per request: the settings, the cookie codec, the backend client and the gate that refreshes sessions. */
export interface SessionRuntime {
  readonly settings: Settings;
  readonly clock: Clock;
  readonly codec: SessionCodec;
  readonly backend: BackendClient;
  readonly store: LockStore;
  readonly coordinator: RefreshCoordinator;
  readonly gate: SessionGate;
  /** Where this runtime's events go (refreshes, degraded operation, sign-outs). */
  readonly onEvent: (event: CoordinatorEvent) => void;
  /** The lock store's configuration error, when its settings are wrong: what needs the store throws it. */
  readonly storeError?: SessionError;
}

/** What createSessionRuntime takes from its host instead of a default: fetch, the lock store or extra store kinds, clock, event and log sinks. */
export interface RuntimeDependencies {
  readonly fetch?: typeof fetch;
  /** A store to use instead of the one the settings name (tests, custom stores). */
  readonly store?: LockStore;
  /**
   * The TCP Redis driver the table's `redis` and `redis-cluster` entries build with: the Node adapter
   * passes it (src/stores/node, loaded lazily), the edge cannot run it.
   */
  readonly tcpRedis?: TcpRedis;
  readonly clock?: Clock;
  readonly onEvent?: (event: CoordinatorEvent) => void;
  /** Start-up messages (which store, baseline mode); default console.warn. */
  readonly log?: (message: string) => void;
  /** Say at start-up which lock store is in use (default true; `npm run dev` says it once itself). */
  readonly announceStore?: boolean;
  /** This isolate's name in log lines; default a random one. */
  readonly instance?: string;
  /** NODE_ENV is production: the in-memory store's announcement becomes a warning. */
  readonly production?: boolean;
  /**
   * The lock store's configuration error (parseSettingsStoreApart): no store is built, and every refresh
   * throws this error (src/core/refresh/misconfigured.ts); what needs no store keeps working.
   */
  readonly storeError?: SessionError;
}

/** One isolate's session runtime from parsed settings: codec, backend client, lock store, coordinator and gate, wired once. */
export function createSessionRuntime(settings: Settings, deps: RuntimeDependencies = {}): SessionRuntime {
  const log = deps.log ?? ((message: string) => console.warn(message));
  const clock = deps.clock ?? systemClock;
  const onEvent =
    deps.onEvent ??
    createEventLogger({ instance: deps.instance ?? crypto.randomUUID().slice(0, 8), now: () => clock.now() });
  const codec = createSessionCodec({ secrets: settings.secrets, maxAgeSeconds: settings.sessionMaxAgeSeconds, clock });
  const backend = createBackendClient({ settings: settings.backend, fetch: deps.fetch, clock });
  const given = deps.storeError === undefined ? deps.store : misconfiguredStore(deps.storeError);
  const chosen =
    given === undefined ? lockStoreFor(settings.store, clock, deps.production === true, deps.tcpRedis) : undefined;
  const store = given ?? chosen!.store;
  if (chosen && deps.announceStore !== false) log(chosen.description);
  if (chosen?.shared) {
    // Said at the first request, not at the first refresh: a wrong token must not wait for an expiry to show.
    store.ping().catch((error: unknown) => {
      onEvent({
        event: "store-failed",
        code: storeFailureCode(error),
        action: "unavailable",
        detail: `start-up check: ${describeError(error)}`,
      });
    });
  }
  const working = settings.unlockedBaseline
    ? createUnlockedRefresher(backend)
    : createRefreshCoordinator({
        store,
        backend,
        settings: {
          graceMs: settings.refreshGraceMs,
          backendTimeoutMs: settings.backend.timeoutMs,
          refreshSkewMs: settings.refreshSkewMs,
          unlockedWhenStoreFails:
            lockStoreEntry(settings.store.kind).unlockedWhenStoreFails || settings.backend.rotation !== "rotate",
        },
        clock,
        onEvent,
      });
  const coordinator = deps.storeError === undefined ? working : misconfiguredCoordinator(working, deps.storeError);
  if (settings.unlockedBaseline)
    log("[session] SESSION_UNLOCKED_BASELINE=1: refreshing WITHOUT the lock (load-test baseline only)");
  const gate = createSessionGate({
    codec,
    coordinator,
    secureCookies: settings.secureCookies,
    refreshSkewMs: settings.refreshSkewMs,
    sessionMaxAgeSeconds: settings.sessionMaxAgeSeconds,
    clock,
  });
  return { settings, clock, codec, backend, store, coordinator, gate, onEvent, storeError: deps.storeError };
}
