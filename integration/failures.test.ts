/**
 * Every dependency failing under a refresh storm across three real `next start` instances: the lock store
 * (refused, unauthorized, rate-limited, a 5xx, hanging), a backend path that is wrong. Nobody may be signed
 * out by any of it, the rotating backend must never see a replayed token, and the first request after the
 * failure clears is served normally. Plus the loud start-up report of a wrong store token.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BridgeFault, BridgeFaultOptions } from "../dev/redis-rest/bridge";
import { tally } from "../test-support/browsing";
import { ensureAppBuilt, startNextInstance } from "../test-support/next-app";
import { freshExpiredSession, sessionOutcome, startStack, type Stack } from "../test-support/stack";

const INSTANCES = 3;
let stack: Stack;

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({ instances: INSTANCES, backend: { refreshLatencyMs: 100 } });
}, 600_000);
afterAll(async () => {
  await stack?.stop();
});
afterEach(async ({ task }) => {
  await stack.bridge.setFault("none");
  if (task.result?.state === "fail") console.error(stack.output().slice(-20_000));
});

async function storm(
  header: string,
  requests: number,
): Promise<Array<{ status: number; location: string | null; outcome: string | null; retryAfter: string | null }>> {
  return Promise.all(
    Array.from({ length: requests }, async (_, index) => {
      const path = index % 2 === 0 ? "/dashboard" : "/api/profile";
      const response = await fetch(`${stack.instances[index % INSTANCES]!.url}${path}`, {
        headers: { cookie: header },
        redirect: "manual",
      });
      await response.body?.cancel();
      return {
        status: response.status,
        location: response.headers.get("location"),
        outcome: sessionOutcome(response.headers),
        retryAfter: response.headers.get("retry-after"),
      };
    }),
  );
}

const faults: Array<[string, BridgeFault, BridgeFaultOptions | undefined, number]> = [
  ["connections refused", "refuse", undefined, 60],
  ["401 wrong token", "unauthorized", undefined, 60],
  ["429 quota exceeded", "rate-limited", undefined, 60],
  ["500 server error", "server-error", { status: 500 }, 60],
  ["502 gateway page", "server-error", { status: 502 }, 60],
  ["every command an error reply", "error-reply", undefined, 60],
  // Each hanging claim waits out its timeout, and waiters retry until the wait limit: fewer requests.
  ["hanging", "hang", undefined, 12],
];

describe("the lock store fails during a storm on 3 instances: nobody is signed out", () => {
  it.each(faults)(
    "%s",
    async (_label, fault, options, requests) => {
      const session = await freshExpiredSession(stack);
      stack.backend.resetStats();
      await stack.bridge.setFault(fault, options);
      const results = await storm(session.header, requests);
      await stack.bridge.setFault("none");

      const signedOut = results.filter((result) => result.status === 401 || (result.location ?? "").includes("/login"));
      expect(signedOut, JSON.stringify(tally(results.map((r) => `${r.status} ${r.outcome}`)))).toEqual([]);
      expect(
        results.filter(
          (result) => result.status !== 503 || result.outcome !== "unavailable" || result.retryAfter === null,
        ),
      ).toEqual([]);
      // A rotating backend is never called without the lock.
      expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 0, reuseDetections: 0 });

      // The failure clears: the very next storm refreshes once and serves everyone.
      const after = await storm(session.header, 30);
      expect(tally(after.map((r) => r.status))).toEqual({ 200: 30 });
      expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 1, reuseDetections: 0 });

      // The failure was logged, and no log line of any instance carries a token the backend issued.
      await stack.waitForOutput(/"event":"store-failed"/);
      expect(stack.backend.issuedTokens().length).toBeGreaterThan(0);
      expect(stack.leakedTokens()).toEqual([]);
    },
    60_000,
  );
});

describe("misconfiguration is loud and signs nobody out", () => {
  it("a wrong lock-store token is reported at the first request, as an error naming STORE_UNAUTHORIZED", async () => {
    const instance = await startNextInstance({ env: { ...stack.env, UPSTASH_REDIS_REST_TOKEN: "not-the-token" } });
    try {
      const response = await fetch(`${instance.url}/`, { redirect: "manual" });
      await response.body?.cancel();
      const line = await instance.waitForOutput(/STORE_UNAUTHORIZED/);
      expect(JSON.parse(line.slice(line.indexOf("{")))).toMatchObject({
        level: "error",
        event: "store-failed",
        code: "STORE_UNAUTHORIZED",
      });
    } finally {
      await instance.stop();
    }
  }, 60_000);

  it("a refresh path that answers 404 is a misconfiguration: 503, the session kept, an error logged", async () => {
    const instance = await startNextInstance({ env: { ...stack.env, BACKEND_REFRESH_PATH: "/api/auth/no-such-path" } });
    try {
      const session = await freshExpiredSession(stack);
      const response = await fetch(`${instance.url}/api/profile`, {
        headers: { cookie: session.header },
        redirect: "manual",
      });
      expect(response.status).toBe(503);
      expect(response.headers.getSetCookie().filter((line) => line.includes("session-token"))).toEqual([]);
      expect(await instance.waitForOutput(/"event":"backend-misconfigured"/)).toMatch(/BACKEND_REFRESH_PATH/);
    } finally {
      await instance.stop();
    }
  }, 60_000);
});
