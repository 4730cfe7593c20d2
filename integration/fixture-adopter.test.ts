/**
 * fixtures/adopter: an App Router app on Next 16 written the way an adopter would, from the package README and
 * MIGRATING.md alone (issue 23, part 8), built once from the packed tarball outside this repository and reused
 * by e2e/fixture-adopter.e2e.ts. Over 2 of its own `next start` instances:
 *
 *  - its `/` and `/about` are prerendered (static), its protected `/dashboard` is not;
 *  - started with exactly the variables Vercel's Upstash integration injects (KV_REST_API_URL, KV_REST_API_TOKEN,
 *    KV_REST_API_READ_ONLY_TOKEN, KV_URL, REDIS_URL: one database, the REST ones through the local Upstash-REST
 *    bridge, the TCP ones at the real Redis behind it), no UPSTASH_* and no SESSION_LOCK_STORE: a storm on one
 *    expired session makes 1 backend refresh, every request 200;
 *  - its own authorize() (MIGRATING's "keep your own fetch": it calls the backend itself and returns
 *    withBackendTokens(...)) is limited: of 30 wrong passwords for one account from one address, at most 5
 *    reach the backend (its own counters), with SIGNIN_CLIENT_IP_HEADER naming the header its proxy sets;
 *  - without BACKEND_URL in production it answers a configuration error naming BACKEND_URL.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtureBuilt, FIXTURE_BUILD_TIMEOUT_MS, type FixtureBuild } from "../test-support/fixture-app";
import { startNextInstance, type NextInstance } from "../test-support/next-app";
import { startServices, type Services } from "../test-support/services";
import { cookieHeader, postCredentials, type CookieJar } from "../test-support/sign-in";
import { DEMO_EMAIL, DEMO_PASSWORD, sessionOutcome, sleep } from "../test-support/stack";

const SECRET = "adopter-fixture-secret-0123456789-abcdefghij";
const LOGIN_TTL_SECONDS = 2;
const STORM_REQUESTS = 40;
const GUESSES = 30;
/** What the default limits let through of 30 guesses at one account from one address. */
const MAX_GUESSES_REACHING_BACKEND = 5;
/** The header the adopter's own proxy (nginx, a load balancer) sets to the person's address. */
const CLIENT_IP_HEADER = "x-real-ip";

let build: FixtureBuild;
let services: Services;
let instances: NextInstance[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  build = await ensureFixtureBuilt("adopter");
  services = await startServices({
    backend: { refreshLatencyMs: 200, accessTokenTtlSeconds: LOGIN_TTL_SECONDS },
    storeToken: "adopter-kv-token",
  });
  // Exactly what Vercel's Upstash integration injects: one database, over REST and over TCP.
  env = {
    NEXTAUTH_SECRET: SECRET,
    BACKEND_URL: services.backend.url,
    KV_REST_API_URL: services.bridge.url,
    KV_REST_API_TOKEN: services.bridge.token,
    KV_REST_API_READ_ONLY_TOKEN: "adopter-kv-read-only-token",
    KV_URL: services.redis.url,
    REDIS_URL: services.redis.url,
    SIGNIN_CLIENT_IP_HEADER: CLIENT_IP_HEADER,
    SESSION_REFRESH_SKEW_SECONDS: "0",
  };
  instances = await Promise.all(
    [0, 1].map(() =>
      startNextInstance({ env, distDir: build.distDir, projectDir: build.projectDir, nextBin: build.nextBin }),
    ),
  );
  const steps = Object.entries(build.timings).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`);
  console.info(`[fixture adopter] next ${build.nextVersion}, ${build.reused ? "reused build" : "built"} (${steps})`);
}, FIXTURE_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  await services?.close();
});

afterEach(({ task }) => {
  if (task.result?.state === "fail") for (const instance of instances) console.error(instance.output());
});

/** Signs in through the app's own next-auth routes, from `address`, as its login form does. */
async function signInAt(base: string, password: string, address: string): Promise<{ jar: CookieJar; answer: string }> {
  const { jar, answer } = await postCredentials(base, { email: DEMO_EMAIL, password }, { [CLIENT_IP_HEADER]: address });
  return { jar, answer: decodeURIComponent(answer) };
}

describe("fixtures/adopter, from the packed tarball", () => {
  it("prerenders / and /about (static), renders /dashboard per request", () => {
    const manifest = JSON.parse(readFileSync(join(build.projectDir, build.distDir, "prerender-manifest.json"), "utf8"));
    const routes = Object.keys((manifest as { routes: Record<string, unknown> }).routes);
    expect(routes).toEqual(expect.arrayContaining(["/", "/about"]));
    expect(routes).not.toContain("/dashboard");
  });

  it("serves its static pages to everyone and guards /dashboard", async () => {
    for (const [index, path] of ["/", "/about"].entries()) {
      const page = await fetch(`${instances[index]!.url}${path}`);
      expect(page.status).toBe(200);
      expect(sessionOutcome(page.headers)).toBe("anonymous");
      expect(await page.text()).toContain("Likes: ");
    }
    const dashboard = await fetch(`${instances[1]!.url}/dashboard`, { redirect: "manual" });
    expect(dashboard.status).toBe(307);
    expect(dashboard.headers.get("location")).toMatch(/\/login\?callbackUrl=%2Fdashboard$/);
  });

  it(`with Vercel's Upstash variables as injected: ${STORM_REQUESTS} requests on one expired session, 1 refresh, all 200`, async () => {
    const { jar, answer } = await signInAt(instances[0]!.url, DEMO_PASSWORD, "198.51.100.7");
    expect(
      [...jar.keys()].some((name) => name.includes("session-token")),
      answer,
    ).toBe(true);
    await sleep(LOGIN_TTL_SECONDS * 1000 + 300);
    services.backend.resetStats();
    services.bridge.resetStats();

    const cookie = cookieHeader(jar);
    const responses = await Promise.all(
      Array.from({ length: STORM_REQUESTS }, (_, index) =>
        fetch(`${instances[index % 2]!.url}/dashboard?request=${index}`, { headers: { cookie }, redirect: "manual" }),
      ),
    );
    const statuses = responses.map((response) => response.status);
    const outcomes = responses.map((response) => sessionOutcome(response.headers));
    const bodies = await Promise.all(responses.map((response) => response.text()));
    expect(statuses).toEqual(Array(STORM_REQUESTS).fill(200));
    for (const body of bodies) expect(body).toContain(DEMO_EMAIL);
    const stats = services.backend.stats();
    expect(stats.refreshes).toBe(1);
    expect(stats.reuseDetections).toBe(0);
    expect(outcomes.filter((outcome) => outcome === "refreshed")).toHaveLength(1);
    // The instances coordinated through the store the variables name (the bridge saw their commands).
    expect(services.bridge.stats().commands).toBeGreaterThan(0);
    for (const instance of instances) expect(instance.output()).not.toContain("configuration-error");
  }, 60_000);

  it(`its own authorize() is limited: of ${GUESSES} wrong passwords from one address, at most ${MAX_GUESSES_REACHING_BACKEND} reach the backend`, async () => {
    services.backend.resetStats();
    const answers: string[] = [];
    for (let guess = 0; guess < GUESSES; guess++)
      answers.push((await signInAt(instances[guess % 2]!.url, `wrong-${guess}`, "203.0.113.9")).answer);
    const reached = services.backend.stats().loginFailures;
    console.info(`[fixture adopter] ${reached} of ${GUESSES} wrong passwords reached the backend`);
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThanOrEqual(MAX_GUESSES_REACHING_BACKEND);
    expect(answers.at(-1)).toMatch(/try again in \d+ minute/i);
  }, 120_000);

  it("in production without BACKEND_URL, answers a configuration error naming BACKEND_URL", async () => {
    const { BACKEND_URL: _omitted, ...withoutBackend } = env;
    const broken = await startNextInstance({
      env: withoutBackend,
      distDir: build.distDir,
      projectDir: build.projectDir,
      nextBin: build.nextBin,
    });
    try {
      const page = await fetch(`${broken.url}/dashboard`, { redirect: "manual", headers: { accept: "text/html" } });
      expect(page.status).toBe(500);
      expect(await page.text()).toContain("BACKEND_URL");
      await broken.waitForOutput(/"event":"configuration-error".*BACKEND_URL/);
    } finally {
      await broken.stop();
    }
  }, 60_000);
});
