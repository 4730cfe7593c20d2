/**
 * The lock store and coordinator of a runtime whose store settings are wrong (two stores without
 * SESSION_LOCK_STORE, half an Upstash pair): everything that needs the store throws the configuration error,
 * so it is answered as one (500, the settings to fix), never as a store outage, and never refreshed without
 * the lock. What needs no store (a signed-out request, a session not yet due, next-auth's csrf) never gets
 * here and stays up.
 */
import type { SessionError } from "../errors";
import type { RefreshCoordinator } from "./coordinator";
import type { LockStore } from "./lock-store";

/** A store every call of which rejects with `error`; nothing is built or connected. */
export function misconfiguredStore(error: SessionError): LockStore {
  const refuse = () => Promise.reject(error);
  return { claim: refuse, settle: refuse, release: refuse, forget: refuse, ping: refuse };
}

/**
 * The coordinator with its refresh refused by `error` before the store is touched: the coordinator would
 * treat a failing store as an outage (503, or an unlocked refresh where that is allowed). Sign-out keeps the
 * real one: it revokes at the backend and logs the store's failure without throwing.
 */
export function misconfiguredCoordinator(coordinator: RefreshCoordinator, error: SessionError): RefreshCoordinator {
  return {
    refresh: () => Promise.reject(error),
    signOut: (refreshToken) => coordinator.signOut(refreshToken),
    inFlight: () => coordinator.inFlight(),
  };
}
