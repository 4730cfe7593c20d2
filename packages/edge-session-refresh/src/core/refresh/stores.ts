/**
 * The one place a lock store is chosen from settings: Upstash when configured, else the in-memory store,
 * with the sentence that tells an operator which one runs and what that means.
 */
import type { Clock } from "../clock";
import type { StoreSettings } from "../settings";
import type { LockStore } from "./lock-store";
import { createMemoryLockStore } from "./memory-store";
import { createUpstashClient, createUpstashLockStore } from "./upstash-store";

export interface ChosenStore {
  readonly store: LockStore;
  /** Shared between instances (Upstash), or only this isolate's (memory). */
  readonly shared: boolean;
  readonly description: string;
}

export function lockStoreFor(settings: StoreSettings, clock: Clock, production = false): ChosenStore {
  if (settings.kind === "upstash") {
    return { store: createUpstashLockStore(createUpstashClient(settings)), shared: true, description: `[session] lock store: Upstash REST at ${new URL(settings.url).origin}` };
  }
  return {
    store: createMemoryLockStore({ clock }),
    shared: false,
    description:
      (production
        ? "[session] WARNING: running in production with the in-memory lock store. With more than one instance, each refreshes the same token and a rotating backend signs users out. "
        : "[session] lock store: in-memory. ") +
      "It coordinates refreshes within this one instance only; " +
      "set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN (or KV_REST_API_URL/KV_REST_API_TOKEN) to share it between instances.",
  };
}
