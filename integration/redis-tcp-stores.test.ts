/**
 * Self-hosting on Node with your own Redis (issue 16), as a new user would run it: the app switched to
 * Next 16's Node proxy (`npm run runtime:node`), three `next start` instances with only `REDIS_URL`, or
 * only `REDIS_CLUSTER_NODES` (a real 3-master cluster the test starts), no Upstash settings. One expired
 * session stormed over the instances must make exactly one backend refresh and serve every request; a
 * sign-out then ends the session for every copy of the cookie. And the same REDIS_URL with the middleware on
 * the edge runtime is a configuration error, never a silent fallback to the in-memory store.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { measureMiddlewareBundle } from "../test-support/middleware-bundle";
import { ensureVariantBuilt, ROOT, type AppBuild } from "../test-support/next-app";
import { freePort } from "../test-support/ports";
import { startRedis, type TestRedis } from "../test-support/redis";
import { spawnRedisServer } from "../test-support/redis-server";
import { startRedisCluster, type TestRedisCluster } from "../test-support/redis-cluster";
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  freshExpiredSession,
  sessionOutcome,
  startStack,
  type Stack,
} from "../test-support/stack";
import { cookieHeader, signIn, signOut, storeCookies } from "../test-support/sign-in";

/** Building the Node variant (and the edge one) on a busy machine takes minutes. */
const BUILD_TIMEOUT_MS = 900_000;
const INSTANCES = 3;
/**
 * Access tokens live this long: short, so the sign-out test sees its copied cookie expire; long enough that
 * a storm on freshly started instances of a busy machine ends before the new token does.
 */
const ACCESS_TTL_S = 8;
const REQUESTS = 45;
/** The app gets no Upstash settings: an empty value counts as unset. */
const NO_UPSTASH = { UPSTASH_REDIS_REST_URL: "", UPSTASH_REDIS_REST_TOKEN: "" };

let nodeBuild: AppBuild;
let redis: TestRedis;
let cluster: TestRedisCluster;
const stacks: Stack[] = [];

beforeAll(async () => {
  [nodeBuild, redis, cluster] = await Promise.all([ensureVariantBuilt("node"), startRedis(), startRedisCluster()]);
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.stop()));
  await Promise.all([redis?.stop(), cluster?.stop()]);
});
afterEach(({ task }) => {
  if (task.result?.state === "fail") for (const stack of stacks) console.error(stack.output());
});

const stores = [
  { name: "REDIS_URL (standalone)", env: () => ({ REDIS_URL: redis.url }), announced: "lock store: Redis over TCP" },
  {
    name: "REDIS_CLUSTER_NODES (3-master cluster)",
    env: () => ({ REDIS_CLUSTER_NODES: cluster.nodesSetting }),
    announced: "lock store: Redis Cluster",
  },
];

describe.each(stores)("Node runtime, 3 instances, $name only", ({ env, announced }) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      instances: INSTANCES,
      backend: { refreshLatencyMs: 200, accessTokenTtlSeconds: ACCESS_TTL_S },
      env: { ...NO_UPSTASH, ...env(), BACKEND_LOGOUT_PATH: "/api/auth/logout", SESSION_REFRESH_SKEW_SECONDS: "1" },
      ...nodeBuild,
    });
    stacks.push(stack);
  });

  it("uses the Redis store, not the in-memory fallback", () => {
    expect(stack.output()).toContain(announced);
    expect(stack.output()).not.toContain("in-memory");
  });

  it(`a storm of ${REQUESTS} requests with one expired session: one backend refresh, everyone served`, async () => {
    const session = await freshExpiredSession(stack);
    stack.backend.resetStats();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, index) => {
        const response = await fetch(`${stack.instances[index % INSTANCES]!.url}/api/profile`, {
          headers: { cookie: session.header },
          redirect: "manual",
        });
        return { status: response.status, outcome: sessionOutcome(response.headers), body: await response.text() };
      }),
    );
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0, familiesRevoked: 0 });
    expect(
      results
        .filter((result) => result.status !== 200)
        .map((result) => `${result.status} ${result.body.slice(0, 200)}`),
    ).toEqual([]);
    expect(results.filter((result) => result.outcome === "refreshed")).toHaveLength(1);
    for (const result of results) expect(result.body).toContain(DEMO_EMAIL);
  });

  it("sign-out ends the session for a cookie copied before it, on every instance", async () => {
    const jar = await signIn(stack.instances[0]!.url, DEMO_EMAIL, DEMO_PASSWORD);
    // Live a little first, so the session has a chain of rotated tokens behind it.
    await new Promise((resolve) => setTimeout(resolve, (ACCESS_TTL_S - 1) * 1000 + 500));
    const refreshed = await fetch(`${stack.instances[1]!.url}/api/profile`, {
      headers: { cookie: cookieHeader(jar) },
      redirect: "manual",
    });
    storeCookies(jar, refreshed);
    expect(refreshed.status).toBe(200);
    const copied = cookieHeader(jar);
    stack.backend.resetStats();

    expect((await signOut(stack.instances[2]!.url, jar)).status).toBeLessThan(400);
    expect(stack.backend.stats()).toMatchObject({ revocations: 1 });
    await new Promise((resolve) => setTimeout(resolve, ACCESS_TTL_S * 1000 + 500)); // the copied cookie's access token runs out
    for (const instance of stack.instances) {
      const replay = await fetch(`${instance.url}/api/profile`, { headers: { cookie: copied }, redirect: "manual" });
      expect(replay.status).toBe(401);
      await replay.body?.cancel();
    }
    expect(stack.backend.stats()).toMatchObject({ refreshes: 0, revocations: 1 });
  }, 90_000);
});

describe("Node runtime, REDIS_URL, the Redis server down during a storm and back", () => {
  it("while it is down every request is 503 with the session kept and no backend call; once back, one refresh serves everyone", async () => {
    const port = await freePort();
    let server = await spawnRedisServer(port);
    const stack = await startStack({
      instances: 2,
      backend: { refreshLatencyMs: 200 },
      env: { ...NO_UPSTASH, REDIS_URL: server.url },
      ...nodeBuild,
    });
    stacks.push(stack);
    try {
      const session = await freshExpiredSession(stack);
      stack.backend.resetStats();
      const storm = () =>
        Promise.all(
          Array.from({ length: 20 }, async (_, index) => {
            const response = await fetch(`${stack.instances[index % 2]!.url}/api/profile`, {
              headers: { cookie: session.header },
              redirect: "manual",
            });
            await response.body?.cancel();
            return { status: response.status, cookie: response.headers.getSetCookie().join("; ") };
          }),
        );
      await server.stop();
      const down = await storm();
      expect(down.map((result) => result.status)).toEqual(down.map(() => 503));
      expect(down.filter((result) => result.cookie.includes("session-token"))).toEqual([]); // nobody's cookie cleared
      expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 0 });

      server = await spawnRedisServer(port);
      // The connection comes back on its own (bounded back-off); until then requests keep getting 503.
      let back = await storm();
      const deadline = Date.now() + 30_000;
      while (back.some((result) => result.status === 503) && Date.now() < deadline) back = await storm();
      expect(back.map((result) => result.status)).toEqual(back.map(() => 200));
      expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0, familiesRevoked: 0 });
    } finally {
      await server.stop();
    }
  }, 120_000);
});

describe("edge runtime with REDIS_URL", () => {
  // The refusal itself (a configuration error at the first request, naming the Node runtime and Upstash)
  // is tested in src/stores/table.test.ts; here: the built edge bundle carries it, and no node-redis.
  it(
    "the edge middleware bundle refuses REDIS_* settings and never contains node-redis",
    async () => {
      const edgeBuild = await ensureVariantBuilt("edge");
      const distDir = join(ROOT, edgeBuild.projectDir, edgeBuild.distDir);
      const bundle = measureMiddlewareBundle(distDir)
        .files.map(({ file }) => readFileSync(join(distDir, file), "utf8"))
        .join("\n");
      expect(bundle).toContain("needs the Node runtime");
      // Not node-redis's errors, not our connection registry.
      for (const marker of ["The client is offline", "edge-session-refresh.redis-connections"])
        expect(bundle).not.toContain(marker);
    },
    BUILD_TIMEOUT_MS,
  );
});
