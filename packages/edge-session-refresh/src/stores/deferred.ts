/**
 * A lock store that is still being loaded: each call waits for it, then forwards. A runtime whose store
 * lives behind a dynamic import (node-redis, which the edge bundle must never contain) builds its session
 * runtime synchronously and hands this in; a store that failed to load fails every call as unreachable,
 * or, when the optional `redis` package is not installed, as the configuration error it is.
 */
import { SessionError } from "../core/errors";
import type { LockStore } from "../core/refresh/lock-store";
import type { TcpRedis } from "./entry";
import type { TcpRedisSettings } from "./settings";
import { lockStoreEntry } from "./table";

export function deferredLockStore(loading: Promise<LockStore>): LockStore {
  const ready = loading.catch((error: unknown) => {
    if (error instanceof SessionError) throw error;
    throw new SessionError("STORE_UNREACHABLE", "the lock store could not be loaded", { cause: error });
  });
  ready.catch(() => {}); // reported by each call that meets it, not as an unhandled rejection
  return {
    claim: async (...args) => (await ready).claim(...args),
    settle: async (...args) => (await ready).settle(...args),
    release: async (...args) => (await ready).release(...args),
    forget: async (...args) => (await ready).forget(...args),
    ping: async () => (await ready).ping(),
  };
}

/** The package the TCP stores need; optional, so an edge-only app never installs it. */
export const TCP_REDIS_PACKAGE = "redis";

/** The import failed because `redis` itself is not installed (not because of something inside it). */
export function isMissingRedisPackage(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (
      (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") &&
      new RegExp(`['"]${TCP_REDIS_PACKAGE}['"]`).test(cause.message)
    )
      return true;
    if (/Can't resolve '?redis'?|Cannot find (module|package) '?redis'?/.test(cause.message)) return true;
  }
  return false;
}

/** The configuration error for a REDIS_* setting without the `redis` package installed. */
export function missingRedisPackage(settings: TcpRedisSettings, cause: unknown): SessionError {
  const setting = lockStoreEntry(settings.kind).settingNames[0] ?? settings.kind;
  const message = `${setting} needs the package "${TCP_REDIS_PACKAGE}", which is not installed: npm install ${TCP_REDIS_PACKAGE}`;
  return new SessionError("CONFIG_INVALID", `Invalid settings:\n  - ${message}`, {
    cause,
    problems: [{ setting, message }],
  });
}

/**
 * The TCP driver, loaded on first use by `load` (a dynamic import of src/stores/node). When `redis` is not
 * installed, every call fails with CONFIG_INVALID naming the package to install.
 */
export function lazyTcpRedis(load: () => Promise<TcpRedis>): TcpRedis {
  let loading: Promise<TcpRedis> | undefined;
  const driver = (settings: TcpRedisSettings) =>
    (loading ??= load()).catch((error: unknown) => {
      throw isMissingRedisPackage(error) ? missingRedisPackage(settings, error) : error;
    });
  return {
    lockStore: (settings) => deferredLockStore(driver(settings).then((tcp) => tcp.lockStore(settings))),
    scripts: (settings) => ({
      eval: async (script, keys, args) => (await driver(settings)).scripts(settings).eval(script, keys, args),
    }),
  };
}
