/**
 * A session's long life, per backend kind: one person browses for about a minute with 6 tabs over 3 real
 * `next start` instances, access tokens of 4 s, one cookie jar updated from every response in arrival
 * order. Run once per rotation policy on the JSON protocol, and once on the OAuth protocol. Every request
 * must answer 200 with the profile, none may hang, the backend must see about one refresh per expiry and no
 * reuse. This is the test that catches what a single storm does not (a flight waiting on itself, a chain
 * that loops, a cookie that goes backwards). LONG_SESSION_SECONDS shortens or lengthens it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { browse, percentile, tally } from "../test-support/browsing";
import { ensureAppBuilt } from "../test-support/next-app";
import { signIn } from "../test-support/sign-in";
import { DEMO_EMAIL, DEMO_PASSWORD, startStack, type Stack } from "../test-support/stack";

const SECONDS = Number(process.env.LONG_SESSION_SECONDS ?? 60);
const ACCESS_TOKEN_SECONDS = 4;
const SKEW_SECONDS = 1;
const TABS = 6;
const INSTANCES = 3;
/** The coordinator's wait limit with the default backend timeout is 8 s: a request past it has hung. */
const HANG_MS = 10_000;

const APP_ENV = { SESSION_REFRESH_SKEW_SECONDS: String(SKEW_SECONDS), SESSION_REFRESH_GRACE_SECONDS: "30" };
const OAUTH_ENV = {
  BACKEND_PROTOCOL: "oauth2",
  BACKEND_LOGIN_PATH: "/oauth/token",
  BACKEND_REFRESH_PATH: "/oauth/token",
  BACKEND_CLIENT_ID: "demo-client",
  BACKEND_CLIENT_SECRET: "demo-secret",
  BACKEND_SCOPE: "openid offline_access",
};

/** Every policy on JSON and OAuth's rotating one in CI; LONG_SESSION_ALL=1 adds OAuth's other two (benchmarks). */
const variants = [
  { name: "json, rotate", rotation: "rotate", oauth: false },
  { name: "json, none", rotation: "none", oauth: false },
  { name: "json, reuse-interval 10 s", rotation: "reuse-interval", oauth: false },
  { name: "oauth2, rotate", rotation: "rotate", oauth: true },
  ...(process.env.LONG_SESSION_ALL === "1"
    ? ([
        { name: "oauth2, none", rotation: "none", oauth: true },
        { name: "oauth2, reuse-interval 10 s", rotation: "reuse-interval", oauth: true },
      ] as const)
    : []),
] as const;

const stacks = new Map<boolean, Stack>();

beforeAll(async () => {
  await ensureAppBuilt();
}, 600_000);

afterAll(async () => {
  for (const stack of stacks.values()) await stack.stop();
});

afterEach(({ task }) => {
  if (task.result?.state === "fail") for (const stack of stacks.values()) console.error(stack.output().slice(-20_000));
});

async function stackFor(oauth: boolean): Promise<Stack> {
  let stack = stacks.get(oauth);
  if (stack === undefined) {
    // One protocol's stack at a time: 3 instances are what this machine can run beside the browsing.
    for (const [other, running] of stacks) {
      await running.stop();
      stacks.delete(other);
    }
    stack = await startStack({
      instances: INSTANCES,
      backend: {
        accessTokenTtlSeconds: ACCESS_TOKEN_SECONDS,
        refreshLatencyMs: 50,
        ...(oauth ? { shape: "oauth" as const } : {}),
      },
      env: { ...APP_ENV, ...(oauth ? OAUTH_ENV : {}) },
    });
    stacks.set(oauth, stack);
  }
  return stack;
}

describe.sequential("one person, 6 tabs, 3 instances, a minute of 4 s access tokens", () => {
  it.each(variants)(
    "$name",
    async ({ name, rotation, oauth }) => {
      const stack = await stackFor(oauth);
      stack.backend.setOptions({ rotation, reuseIntervalSeconds: 10 });
      const jar = await signIn(stack.instances[0]!.url, DEMO_EMAIL, DEMO_PASSWORD);
      stack.backend.resetStats();

      const records = await browse({
        instanceUrls: stack.instances.map((instance) => instance.url),
        jar,
        tabs: TABS,
        durationMs: SECONDS * 1000,
        profileMarker: DEMO_EMAIL,
        requestTimeoutMs: HANG_MS,
      });

      const stats = stack.backend.stats();
      const statuses = tally(records.map((record) => record.status));
      const outcomes = tally(records.map((record) => record.outcome));
      const slowest = Math.max(...records.map((record) => record.ms));
      // Tokens are refreshed within the skew of expiry: one refresh every 3 to 4 s of browsing.
      const expiriesAtMost = Math.ceil(SECONDS / (ACCESS_TOKEN_SECONDS - SKEW_SECONDS)) + 1;
      const expiriesAtLeast = Math.floor(SECONDS / ACCESS_TOKEN_SECONDS) - 1;
      console.log(
        `[figure] long session (${name}): ${records.length} requests in ${SECONDS} s, statuses ${JSON.stringify(statuses)}, ` +
          `outcomes ${JSON.stringify(outcomes)}, backend refresh calls ${stats.refreshAttempts} (refreshes ${stats.refreshes}, reuse within interval ${stats.reuseWithinInterval ?? 0}) ` +
          `for ${expiriesAtLeast}-${expiriesAtMost} expiries, reuse detections ${stats.reuseDetections}, p50 ${percentile(
            records.map((r) => r.ms),
            50,
          ).toFixed(0)} ms, ` +
          `p99 ${percentile(
            records.map((r) => r.ms),
            99,
          ).toFixed(0)} ms, slowest ${slowest.toFixed(0)} ms`,
      );

      expect(statuses, JSON.stringify(statuses)).toEqual({ 200: records.length });
      expect(records.filter((record) => !record.profileShown)).toEqual([]);
      expect(slowest).toBeLessThan(HANG_MS);
      expect(stats).toMatchObject({ reuseDetections: 0, familiesRevoked: 0 });
      expect(stats.refreshAttempts).toBeGreaterThanOrEqual(expiriesAtLeast);
      expect(stats.refreshAttempts).toBeLessThanOrEqual(expiriesAtMost);
      // Every log line of every instance, grepped for every token the backend issued: none may be there.
      expect(stack.backend.issuedTokens().length).toBeGreaterThan(2 * expiriesAtLeast);
      expect(stack.leakedTokens()).toEqual([]);
    },
    (SECONDS + 120) * 1000,
  );
});
