/**
 * One expired session hitting three real `next start` instances at once, sharing one real Redis (through
 * the Upstash-REST bridge) and one reference backend with rotating refresh tokens and reuse detection:
 * the backend must see exactly one refresh, every request must succeed with the new tokens, and a late
 * request carrying the old cookie must still be served from the grace window.
 *
 * `npm test` runs it against the default build (src/middleware.ts, edge runtime); `npm run test:node-proxy`
 * (APP_RUNTIME_VARIANT=node) against a copy switched to Next 16's Node proxy (src/proxy.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { appVariantFromEnv, builtMiddlewareRuntime, ensureVariantBuilt, type AppBuild } from "../test-support/next-app";
import {
  DEMO_EMAIL,
  decodeWithNextAuth,
  freshExpiredSession,
  sessionOutcome,
  sessionSetCookie,
  sleep,
  startStack,
  type Stack,
} from "../test-support/stack";

const INSTANCES = 3;
const REQUESTS = 60;
const REFRESH_LATENCY_MS = 200;
const VARIANT = appVariantFromEnv();

let stack: Stack;
let build: AppBuild;

beforeAll(async () => {
  build = await ensureVariantBuilt(VARIANT);
  stack = await startStack({ instances: INSTANCES, backend: { refreshLatencyMs: REFRESH_LATENCY_MS }, ...build });
});

afterAll(async () => {
  await stack?.stop();
});

afterEach(({ task }) => {
  if (task.result?.state === "fail" && stack) console.error(stack.output());
});

interface Result {
  readonly instance: number;
  readonly path: string;
  readonly status: number;
  readonly outcome: string | null;
  readonly body: string;
  readonly cookie: ReturnType<typeof sessionSetCookie>;
}

async function get(instance: number, path: string, cookie: string): Promise<Result> {
  const response = await fetch(`${stack.instances[instance]!.url}${path}`, { headers: { cookie }, redirect: "manual" });
  return {
    instance,
    path,
    status: response.status,
    outcome: sessionOutcome(response.headers),
    body: await response.text(),
    cookie: sessionSetCookie(response),
  };
}

function tally(values: ReadonlyArray<string | null>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

describe(`one expired session, 60 concurrent requests over 3 instances (${VARIANT} variant)`, () => {
  it(`serves a build whose session middleware runs on the ${VARIANT} runtime`, () => {
    expect(builtMiddlewareRuntime(build)).toBe(VARIANT === "node" ? "nodejs" : "edge");
  });

  it("refreshes exactly once, serves everyone the same new tokens, and replays for a late old cookie", async () => {
    const session = await freshExpiredSession(stack);
    stack.backend.resetStats();

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, (_, index) =>
        get(index % INSTANCES, index % 2 === 0 ? "/dashboard" : "/api/profile", session.header),
      ),
    );
    const elapsedMs = performance.now() - started;

    // The backend's own counters: one rotation, one call, nobody replayed the consumed token.
    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({
      refreshes: 1,
      refreshAttempts: 1,
      reuseDetections: 0,
      familiesRevoked: 0,
    });

    // Every request succeeded, with the user's identity fetched using the new access token.
    expect(results.map((result) => `${result.path} ${result.status}`).filter((line) => !line.endsWith(" 200"))).toEqual(
      [],
    );
    for (const result of results) {
      if (result.path === "/dashboard") {
        expect(result.body).toContain(DEMO_EMAIL);
        expect(result.body).toContain('data-testid="profile-email"');
      } else {
        expect((JSON.parse(result.body) as { profile: { email: string } }).profile.email).toBe(DEMO_EMAIL);
      }
    }

    // Exactly one request led the refresh; the rest waited for it or took its stored successor.
    const outcomes = tally(results.map((result) => result.outcome));
    expect(outcomes.refreshed, JSON.stringify(outcomes)).toBe(1);
    expect((outcomes.joined ?? 0) + (outcomes.replayed ?? 0), JSON.stringify(outcomes)).toBe(REQUESTS - 1);
    // The requests really overlapped the refresh: some of them waited for it.
    expect(outcomes.joined ?? 0, JSON.stringify(outcomes)).toBeGreaterThan(0);

    // Every response set a session cookie, and next-auth's own decode reads them all as the same new tokens.
    const decoded = await Promise.all(
      results.map(async (result) => {
        expect(result.cookie?.cleared, `${result.path} on instance ${result.instance} set no session cookie`).toBe(
          false,
        );
        return decodeWithNextAuth(stack.secret, result.cookie!.value);
      }),
    );
    const refreshTokens = new Set(decoded.map((claims) => claims?.refreshToken));
    expect(refreshTokens.size).toBe(1);
    const [newRefreshToken] = [...refreshTokens];
    expect(typeof newRefreshToken).toBe("string");
    expect(newRefreshToken).not.toBe(session.tokens.refreshToken);
    expect(new Set(decoded.map((claims) => claims?.accessToken)).size).toBe(1);
    for (const claims of decoded) {
      expect(claims).toMatchObject({ email: DEMO_EMAIL });
      expect(claims!.accessTokenExpires as number).toBeGreaterThan(Date.now());
    }
    // The page and the route handler rendered with the new tokens in this same request (the middleware
    // forwarded the new cookie), not with the expired ones the browser sent.
    const newExpires = decoded[0]!.accessTokenExpires as number;
    for (const result of results) {
      if (result.path === "/dashboard") expect(result.body).toContain(new Date(newExpires).toISOString());
      else expect((JSON.parse(result.body) as { accessTokenExpires: number }).accessTokenExpires).toBe(newExpires);
    }
    // The refresh token never reached the page's HTML or the JSON.
    for (const result of results) {
      expect(result.body).not.toContain(newRefreshToken as string);
      expect(result.body).not.toContain(session.tokens.refreshToken);
    }

    console.info(
      `[multi-instance ${VARIANT}] ${REQUESTS} requests over ${INSTANCES} instances in ${elapsedMs.toFixed(0)} ms; outcomes ${JSON.stringify(outcomes)}; backend ${JSON.stringify(stats)}`,
    );

    // A tab that was asleep: 2 s later, still the old cookie. The grace window hands it the successor.
    await sleep(2_000);
    const late = await Promise.all([get(1, "/api/profile", session.header), get(2, "/dashboard", session.header)]);
    for (const result of late) {
      expect(result.status).toBe(200);
      expect(result.outcome).toBe("replayed");
      expect(result.body).toContain(DEMO_EMAIL);
      const claims = await decodeWithNextAuth(stack.secret, result.cookie!.value);
      expect(claims?.refreshToken).toBe(newRefreshToken);
    }
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, refreshAttempts: 1, reuseDetections: 0 });
  });

  it("leads an old cookie forward: a refreshed token that has run out again is refreshed once, for old and new cookies alike", async () => {
    stack.backend.setOptions({ accessTokenTtlSeconds: 2 });
    try {
      const first = await freshExpiredSession(stack);
      stack.backend.resetStats();
      // The first cookie (A) is refreshed to B, whose access token lives only 2 s.
      const step = await get(0, "/api/profile", first.header);
      expect(step.outcome).toBe("refreshed");
      const middle = step.cookie!.value;
      const middleClaims = await decodeWithNextAuth(stack.secret, middle);
      // B's successor lives long, so a slow request below cannot make it due once more.
      stack.backend.setOptions({ accessTokenTtlSeconds: 60 });
      await sleep(Math.max(0, (middleClaims!.accessTokenExpires as number) - Date.now()) + 300);

      // Both cookies at once, on different instances: a tab that never saw B, and tabs holding B.
      const middleHeader = `next-auth.session-token=${middle}`;
      const results = await Promise.all([
        get(0, "/api/profile", first.header),
        get(1, "/dashboard", middleHeader),
        get(2, "/api/profile", middleHeader),
        get(1, "/api/profile", first.header),
      ]);
      expect(results.map((result) => result.status)).toEqual([200, 200, 200, 200]);
      const stats = stack.backend.stats();
      expect(stats, JSON.stringify(stats)).toMatchObject({
        refreshes: 2,
        refreshAttempts: 2,
        reuseDetections: 0,
        familiesRevoked: 0,
      });
      const outcomes = tally(results.map((result) => result.outcome));
      expect(outcomes.refreshed, JSON.stringify(outcomes)).toBe(1);
      const newest = await Promise.all(
        results.map(async (result) => (await decodeWithNextAuth(stack.secret, result.cookie!.value))?.refreshToken),
      );
      expect(new Set(newest).size, JSON.stringify(outcomes)).toBe(1);
      expect(newest[0]).not.toBe(middleClaims!.refreshToken);
      expect(newest[0]).not.toBe(first.tokens.refreshToken);
    } finally {
      stack.backend.setOptions({ accessTokenTtlSeconds: 60 });
    }
  });
});
