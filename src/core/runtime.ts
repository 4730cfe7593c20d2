/**
 * The composition root: from parsed settings, one codec, one backend client, one lock store, one
 * coordinator and one gate, shared by every request of an isolate. The store is chosen here: Upstash when
 * configured, else the in-memory store, which says once that it only coordinates one instance.
 */
import { createBackendClient, type BackendClient } from "./backend/client";
import { createRefreshCoordinator, type CoordinatorEvent, type RefreshCoordinator } from "./refresh/coordinator";
import type { LockStore } from "./refresh/lock-store";
import { createMemoryLockStore } from "./refresh/memory-store";
import { createUnlockedRefresher } from "./refresh/unlocked";
import { createUpstashClient, createUpstashLockStore } from "./refresh/upstash-store";
import { createSessionCodec, type SessionCodec } from "./session/codec";
import { createSessionGate, type SessionGate } from "./gate/session-gate";
import type { Settings } from "./settings";

export interface SessionRuntime {
  readonly settings: Settings;
  readonly codec: SessionCodec;
  readonly backend: BackendClient;
  readonly store: LockStore;
  readonly coordinator: RefreshCoordinator;
  readonly gate: SessionGate;
}

export interface RuntimeDependencies {
  readonly fetch?: typeof fetch;
  readonly store?: LockStore;
  readonly nowMs?: () => number;
  readonly onEvent?: (event: CoordinatorEvent) => void;
  readonly log?: (message: string) => void;
  /** Say at start-up which lock store is in use (default true; `npm run dev` says it once itself). */
  readonly announceStore?: boolean;
  /** NODE_ENV is production: the in-memory store's announcement becomes a warning. */
  readonly production?: boolean;
}

export function createSessionRuntime(settings: Settings, deps: RuntimeDependencies = {}): SessionRuntime {
  const log = deps.log ?? ((message: string) => console.warn(message));
  const codec = createSessionCodec({
    secrets: settings.secrets,
    maxAgeSeconds: settings.sessionMaxAgeSeconds,
    nowSeconds: deps.nowMs ? () => Math.floor(deps.nowMs!() / 1000) : undefined,
  });
  const backend = createBackendClient({ settings: settings.backend, fetch: deps.fetch, nowMs: deps.nowMs });
  const store = deps.store ?? storeFor(settings, deps.announceStore === false ? () => {} : log, deps.production === true);
  const coordinator = settings.unlockedBaseline
    ? createUnlockedRefresher(backend)
    : createRefreshCoordinator({
        store,
        backend,
        secret: settings.secrets[0],
        settings: { graceMs: settings.refreshGraceMs, backendTimeoutMs: settings.backend.timeoutMs },
        clock: deps.nowMs ? { now: deps.nowMs, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) } : undefined,
        onEvent: deps.onEvent,
      });
  if (settings.unlockedBaseline) log("[session] SESSION_UNLOCKED_BASELINE=1: refreshing WITHOUT the lock (load-test baseline only)");
  const gate = createSessionGate({
    codec,
    coordinator,
    secureCookies: settings.secureCookies,
    refreshSkewMs: settings.refreshSkewMs,
    sessionMaxAgeSeconds: settings.sessionMaxAgeSeconds,
    nowMs: deps.nowMs,
  });
  return { settings, codec, backend, store, coordinator, gate };
}

function storeFor(settings: Settings, log: (message: string) => void, production: boolean): LockStore {
  if (settings.store.kind === "upstash") return createUpstashLockStore(createUpstashClient(settings.store));
  log(
    (production
      ? "[session] WARNING: running in production with the in-memory lock store. With more than one instance, each refreshes the same token and a rotating backend signs users out. "
      : "[session] lock store: in-memory. ") +
      "It coordinates refreshes within this one instance only; " +
      "set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL/KV_REST_API_TOKEN) to share it between instances.",
  );
  return createMemoryLockStore();
}
