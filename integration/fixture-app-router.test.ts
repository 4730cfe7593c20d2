/**
 * The migration, proven on an app that is not this one: fixtures/recipe-app/ (the 2021 recipe's shape,
 * migrated by MIGRATING.md, importing only `@/next/public`), built as its own copy, served by three
 * `next start` instances on one Redis and one rotating reference backend.
 *
 *  - it imports nothing of the library but the public entry point;
 *  - its middleware guards its paths (the matcher literal from MIGRATING.md works);
 *  - signed in through its own next-auth routes, its own `role` claim reaches /api/auth/session;
 *  - one expired session, 60 concurrent requests over 3 instances: 1 backend refresh, 0 reuse, 60 × 200,
 *    the role claim kept in the refreshed cookie, no refresh token in /api/auth/session nor in page HTML.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureFixtureBuilt, fixtureDir } from "../test-support/fixture-app";
import { BUDGET_GZIP_BYTES, measureMiddlewareBundle } from "../bench/edge-bundle-size";
import { ROOT, builtMiddlewareRuntime, type AppBuild } from "../test-support/next-app";
import { cookieHeader, signIn, type CookieJar } from "../test-support/sign-in";
import { DEMO_EMAIL, DEMO_PASSWORD, SESSION_COOKIE, decodeWithNextAuth, sessionOutcome, sessionSetCookie, sleep, startStack, type Stack } from "../test-support/stack";

const FIXTURE = "recipe-app";
const INSTANCES = 3;
const REQUESTS = 60;
/** The login's access token: short, so the storm does not wait long for it to expire. */
const LOGIN_TTL_SECONDS = 2;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? sourceFiles(path) : /\.tsx?$/.test(entry) ? [path] : [];
  });
}

describe("the fixture imports only the public entry point", () => {
  it("every import is relative, a package, or one of the library's entry points", () => {
    const files = sourceFiles(join(ROOT, fixtureDir(FIXTURE), "src"));
    expect(files.length).toBeGreaterThan(5);
    const imports = files.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g)].map((match) => ({
        file: file.slice(ROOT.length + 1),
        specifier: match[1] ?? match[2]!,
      })),
    );
    const library = imports.filter(({ specifier }) => specifier.startsWith("@/") || specifier.startsWith("edge-session-refresh") || specifier.includes("packages/"));
    const entryPoints = ["edge-session-refresh", "edge-session-refresh/next", "edge-session-refresh/client", "edge-session-refresh/testing"];
    expect(library.filter(({ specifier }) => !entryPoints.includes(specifier))).toEqual([]);
    expect(library.length).toBeGreaterThanOrEqual(3);
  });
});

describe(`${FIXTURE}: an existing app migrated, 3 instances on one Redis`, () => {
  let stack: Stack;
  let build: AppBuild;
  const url = (instance: number, path: string) => `${stack.instances[instance]!.url}${path}`;

  beforeAll(async () => {
    build = await ensureFixtureBuilt(FIXTURE);
    stack = await startStack({
      instances: INSTANCES,
      backend: { refreshLatencyMs: 200, accessTokenTtlSeconds: LOGIN_TTL_SECONDS },
      env: { SESSION_REFRESH_SKEW_SECONDS: "0", BACKEND_LOGOUT_PATH: "/api/auth/logout" },
      ...build,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  afterEach(({ task }) => {
    if (task.result?.state === "fail" && stack) console.error(stack.output());
  });

  it("its middleware runs on the edge and guards its own paths", async () => {
    expect(builtMiddlewareRuntime(build)).toBe("edge");
    const page = await fetch(url(0, "/dashboard"), { redirect: "manual" });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toMatch(/\/login\?callbackUrl=%2Fdashboard$/);
    const api = await fetch(url(1, "/api/profile"));
    expect(api.status).toBe(401);
    const session = await fetch(url(2, "/api/auth/session"));
    expect(sessionOutcome(session.headers)).toBe("anonymous");
    expect(await session.json()).toEqual({});
    const login = await fetch(url(0, "/login"));
    expect(login.status).toBe(200);
    expect(sessionOutcome(login.headers)).toBeNull();
  });

  it("its edge bundle, through the public entry point, holds no next-auth module and stays within the budget", () => {
    const dist = join(ROOT, build.projectDir, build.distDir);
    const size = measureMiddlewareBundle(dist);
    expect(size.gzipBytes).toBeLessThan(BUDGET_GZIP_BYTES);
    // The packages the middleware's code came from, by its source maps.
    const packages = new Set<string>();
    for (const { file } of size.files) {
      if (!existsSync(join(dist, `${file}.map`))) continue;
      const map = JSON.parse(readFileSync(join(dist, `${file}.map`), "utf8")) as { sources?: string[]; sections?: Array<{ map: { sources?: string[] } }> };
      for (const source of [...(map.sources ?? []), ...(map.sections ?? []).flatMap((section) => section.map.sources ?? [])]) {
        const match = /node_modules\/((?:@|%40)[^/]+\/[^/]+|[^/]+)\//.exec(source);
        if (match) packages.add(decodeURIComponent(match[1]!));
      }
    }
    expect(packages.has("jose"), [...packages].join(", ")).toBe(true);
    expect([...packages].filter((name) => name.startsWith("next-auth") || name === "react-dom")).toEqual([]);
    console.info(`[recipe-app] edge middleware ${(size.gzipBytes / 1024).toFixed(1)} KiB gzipped from ${[...packages].sort().join(", ")}`);
  });

  it("one expired session, 60 concurrent requests: 1 refresh, 0 reuse, all 200; its role claim shows and no token does", async () => {
    const jar: CookieJar = await signIn(stack.instances[0]!.url, DEMO_EMAIL, DEMO_PASSWORD);
    const signedIn = await decodeWithNextAuth(stack.secret, jar.get(SESSION_COOKIE)!);
    // The app's own jwt callback ran at sign-in, after the wrapper put authorize()'s tokens in.
    expect(signedIn).toMatchObject({ sub: DEMO_EMAIL, email: DEMO_EMAIL, role: "admin" });
    const oldRefreshToken = signedIn!.refreshToken as string;
    expect(typeof oldRefreshToken).toBe("string");

    stack.backend.setOptions({ accessTokenTtlSeconds: 60 });
    await sleep(Math.max(0, (signedIn!.accessTokenExpires as number) - Date.now()) + 100);
    stack.backend.resetStats();

    const cookie = cookieHeader(jar);
    const paths = ["/dashboard", "/api/profile", "/api/auth/session"];
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, index) => {
        const path = paths[index % paths.length]!;
        const response = await fetch(url(index % INSTANCES, path), { headers: { cookie }, redirect: "manual" });
        return { path, status: response.status, outcome: sessionOutcome(response.headers), cookie: sessionSetCookie(response), body: await response.text() };
      }),
    );

    const stats = stack.backend.stats();
    expect(stats, JSON.stringify(stats)).toMatchObject({ refreshes: 1, refreshAttempts: 1, reuseDetections: 0, familiesRevoked: 0 });
    expect(results.filter((result) => result.status !== 200).map((result) => `${result.path} ${result.status}`)).toEqual([]);
    const outcomes: Record<string, number> = {};
    for (const { outcome } of results) outcomes[String(outcome)] = (outcomes[String(outcome)] ?? 0) + 1;
    expect(outcomes.refreshed, JSON.stringify(outcomes)).toBe(1);
    expect((outcomes.joined ?? 0) + (outcomes.replayed ?? 0), JSON.stringify(outcomes)).toBe(REQUESTS - 1);

    // Everyone got the same new tokens, and the app's role claim went along with the middleware's refresh.
    const decoded = await Promise.all(results.map((result) => decodeWithNextAuth(stack.secret, result.cookie!.value)));
    const newRefreshTokens = new Set(decoded.map((claims) => claims?.refreshToken));
    expect(newRefreshTokens.size).toBe(1);
    const [newRefreshToken] = [...newRefreshTokens] as string[];
    expect(newRefreshToken).not.toBe(oldRefreshToken);
    for (const claims of decoded) expect(claims).toMatchObject({ role: "admin", email: DEMO_EMAIL });
    const newAccessToken = decoded[0]!.accessToken as string;

    for (const result of results) {
      if (result.path === "/dashboard") {
        // The page called the backend with the refreshed access token, and next-auth's session has the role.
        expect(result.body).toContain(`data-testid="profile-email">${DEMO_EMAIL}<`);
        expect(result.body).toContain('data-testid="server-role">admin<');
      } else if (result.path === "/api/profile") {
        expect((JSON.parse(result.body) as { profile: { email: string } }).profile.email).toBe(DEMO_EMAIL);
      } else {
        expect(JSON.parse(result.body)).toMatchObject({ user: { email: DEMO_EMAIL, role: "admin" } });
      }
      for (const secret of [oldRefreshToken, newRefreshToken, newAccessToken, signedIn!.accessToken as string]) expect(result.body).not.toContain(secret);
    }
    console.info(`[recipe-app] ${REQUESTS} requests over ${INSTANCES} instances; outcomes ${JSON.stringify(outcomes)}; backend ${JSON.stringify(stats)}`);
  });

  it("signing out through its next-auth route revokes the session at the backend", async () => {
    const jar = await signIn(stack.instances[1]!.url, DEMO_EMAIL, DEMO_PASSWORD);
    const refreshToken = (await decodeWithNextAuth(stack.secret, jar.get(SESSION_COOKIE)!))!.refreshToken as string;
    stack.backend.resetStats();
    const csrf = await fetch(url(1, "/api/auth/csrf"), { headers: { cookie: cookieHeader(jar) } });
    const csrfCookie = csrf.headers.getSetCookie().map((line) => line.split(";")[0]!);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const out = await fetch(url(1, "/api/auth/signout"), {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: [cookieHeader(jar), ...csrfCookie].join("; ") },
      body: new URLSearchParams({ csrfToken, json: "true" }),
    });
    expect(out.status).toBeLessThan(400);
    expect(stack.backend.stats()).toMatchObject({ revocations: 1 });
    // The revoked token is dead at the backend: a refresh with it is refused.
    const refresh = await fetch(`${stack.backend.url}/api/auth/refresh-token`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refreshToken }) });
    expect(refresh.status).toBe(401);
  });
});
