/**
 * The one door from outside packages/ into the library's sources (docs/TESTING.md, "The test boundary";
 * eslint.config.mjs refuses every other import of packages/<name>/src). Everything else outside the packages
 * imports them by their entry points, `edge-session-refresh`, `/next`, `/client`, `/testing`, `/stores`,
 * `/stores/node` and `edge-session-refresh-loadtest`, and so runs the built dist/ as an app or a tool does.
 *
 * Only what no entry point offers is here, each with who needs it and why. Adding a name is a decision:
 * first ask whether the test can say the same through an entry point.
 */

/**
 * The coordinator on its own, without the runtime around it: bench/outage.ts and bench/store-distance.ts
 * measure it with settings no entry point takes (the outage benchmark's "before" turns the unavailable
 * marker off with `unavailableBackoffMs: 0`) and without `next start` in the way.
 */
export {
  createRefreshCoordinator,
  type RefreshCoordinator,
} from "../packages/edge-session-refresh/src/core/refresh/coordinator";
/** The backend client those benchmarks hand to the coordinator (the runtime builds it internally). */
export { createBackendClient } from "../packages/edge-session-refresh/src/core/backend/client";
/**
 * The Upstash store for those benchmarks, also public as `edge-session-refresh/stores`, but taken from the
 * same sources as the coordinator above: a store failure is told apart by `instanceof SessionError`, and the
 * built package's SessionError is another class than the sources' one.
 */
export { createUpstashLockStore, STORE_REST_OPTIONS } from "../packages/edge-session-refresh/src/stores/upstash";
/** The store's own Upstash REST transport with the options the store table gives it. */
export { createUpstashRestClient } from "../packages/edge-session-refresh/src/stores/upstash-rest";
/**
 * The counting wrapper the coordinator's own tests use: bench/hot-path.ts counts with it that the
 * valid-session path sends no lock-store command. It only forwards calls, so it wraps a store from
 * `edge-session-refresh/stores` as well.
 */
export { countingStore } from "../packages/edge-session-refresh/src/core/refresh/test-support/counting-store";
/**
 * The codec's check that a decoded payload is a session (tokens and expiry present): bench/loadtest/sessions.ts
 * re-mints a signed-in browser's cookie with its access token expired, and must read the same fields the
 * middleware reads.
 */
export { asSessionClaims } from "../packages/edge-session-refresh/src/core/session/claims";
/**
 * The codec tests' session claims (plain and chunk-sized): edge-tests/portable.test.ts runs the codec's cases
 * in workerd on the very same claims (STYLE.md, principle 12).
 */
export {
  BIG_SESSION_CLAIMS,
  SESSION_CLAIMS,
} from "../packages/edge-session-refresh/src/core/session/test-support/claims";
/**
 * The build step that copies the reference docs into the package (its scripts/ship-docs.mjs, run at build and
 * prepack): scripts/packed-docs.test.ts and scripts/api-report.test.ts check the copies it writes and the
 * text it would ship, which no entry point offers because it is not part of the library.
 */
// @ts-expect-error -- a plain .mjs build script without declarations
export { shipDocs, shippedText } from "../packages/edge-session-refresh/scripts/ship-docs.mjs";
