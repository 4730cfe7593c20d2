/**
 * The TCP Redis driver (src/stores/node, node-redis) for the session runtime and the sign-in limits, on
 * the Node runtime only. Next replaces `process.env.NEXT_RUNTIME` at build time, so the edge bundle's copy
 * of this branch is dead and its dynamic import is never followed: the edge middleware never contains
 * node-redis. On the edge the table's TCP entries answer a REDIS_* setting with a configuration error
 * (Node runtime or Upstash); on Node without the optional `redis` package, with one naming it.
 *
 * The import names the package's own `/stores/node` entry and tells the app's bundler to leave it alone:
 * Node loads it when a REDIS_* setting is first used. Bundled, it would make every Node build of an app
 * without the optional `redis` fail ("Module not found: Can't resolve 'redis'", Turbopack), Upstash apps
 * included.
 */
import type { TcpRedis } from "../stores/entry";
import { lazyTcpRedis } from "../stores/deferred";

let driver: TcpRedis | undefined;

export function nodeTcpRedis(): TcpRedis | undefined {
  if (process.env.NEXT_RUNTIME === "nodejs")
    return (driver ??= lazyTcpRedis(() => loadNodeStores().then((module) => module.NODE_TCP_REDIS)));
  return undefined;
}

type NodeStoresModule = typeof import("../stores/node");

function loadNodeStores(): Promise<NodeStoresModule> {
  return import(/* webpackIgnore: true */ /* turbopackIgnore: true */ "edge-session-refresh/stores/node");
}
