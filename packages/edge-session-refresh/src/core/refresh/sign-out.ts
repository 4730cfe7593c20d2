/**
 * Sign-out: ends a session everywhere at once. The backend revokes the refresh token (where it can), and
 * the lock store gets a refusal for it and forgets the successors stored for every earlier token of its
 * chain, so no copy of an older cookie can pick up a successor after the session ended. Both run in
 * parallel and each failure is reported, never thrown: signing out always succeeds for the person.
 */
import type { BackendResult } from "../backend/result";
import { describeError } from "../errors";
import type { CoordinatorEvent } from "./events";
import type { LockStore } from "./lock-store";
import type { Sealer } from "./sealing";

export interface SignOutResult {
  readonly revoked: "revoked" | "skipped" | "failed";
  /** Earlier tokens whose stored successors were deleted; null when the store failed. */
  readonly chainForgotten: number | null;
}

export interface SignOutDependencies {
  readonly store: LockStore;
  /** The backend's revocation, where it has one (the coordinator's RefreshBackend). */
  readonly backend: { revoke?(refreshToken: string): Promise<BackendResult<"revoked"> | { readonly kind: "skipped" }> };
  readonly sealer: Sealer;
  /** How long the stored refusal lives: at least as long as any successor it must outlast. */
  readonly refusalTtlMs: number;
  /** How many earlier tokens to follow back. */
  readonly maxLinks: number;
  /** Remembers the refusal in this isolate, so its next requests cost no I/O. */
  readonly rememberRefusal: (refreshToken: string) => void;
  readonly onEvent: (event: CoordinatorEvent) => void;
}

export function createSignOut(deps: SignOutDependencies): (refreshToken: string) => Promise<SignOutResult> {
  const { store, backend, sealer } = deps;
  return async (refreshToken) => {
    deps.rememberRefusal(refreshToken);
    const [revocation, forgotten] = await Promise.allSettled([
      backend.revoke ? backend.revoke(refreshToken) : Promise.resolve({ kind: "skipped" } as const),
      (async () => {
        const keys = await sealer.keysFor(refreshToken);
        return store.forget(keys, await sealer.seal(keys, { kind: "rejected" }), deps.refusalTtlMs, deps.maxLinks);
      })(),
    ]);
    const revoked =
      revocation.status === "fulfilled" && (revocation.value.kind === "ok" || revocation.value.kind === "skipped")
        ? revocation.value.kind === "ok"
          ? "revoked"
          : "skipped"
        : "failed";
    const chainForgotten = forgotten.status === "fulfilled" ? forgotten.value : null;
    const problems = [
      revocation.status === "rejected"
        ? describeError(revocation.reason)
        : revoked === "failed" && revocation.status === "fulfilled"
          ? JSON.stringify(revocation.value)
          : undefined,
      forgotten.status === "rejected" ? describeError(forgotten.reason) : undefined,
    ].filter((problem): problem is string => problem !== undefined);
    deps.onEvent({
      event: "sign-out",
      revoked,
      chainForgotten,
      ...(problems.length > 0 ? { detail: problems.join("; ") } : {}),
    });
    return { revoked, chainForgotten };
  };
}
