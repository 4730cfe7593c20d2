/**
 * What every fixture app (fixtures/<name>/, the packed tarball installed into a copy, see fixture-app.ts)
 * must do, as black-box tests over two of its own `next start` instances on one Redis (the Upstash-REST
 * bridge) and the rotating reference backend. integration/fixture-<name>.test.ts runs it per fixture:
 *
 *  - it imports nothing of the library but the package's entry points, and the installed package is the
 *    tarball's (not a link into this repository);
 *  - its middleware runs on the edge and guards its paths; its edge bundle holds no next-auth and stays in budget;
 *  - signed in through its own next-auth routes, its own `role` claim reaches /api/auth/session;
 *  - one expired session, 60 concurrent requests over 2 instances: 1 backend refresh, 0 reuse, 60 × 200,
 *    the page and the API route read the refreshed access token (currentSession), no token in any body;
 *  - the old cookie arriving after the refresh is served the successor (replayed), without a new refresh;
 *  - signing out through its next-auth route revokes the session at the backend.
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { tearDownStack } from "./stack-teardown";
import { BUDGET_GZIP_BYTES, measureMiddlewareBundle } from "./middleware-bundle";
import {
  ensureFixtureBuilt,
  FIXTURE_BUILD_TIMEOUT_MS,
  fixtureDir,
  packedLibrary,
  type FixtureBuild,
  type FixtureName,
} from "./fixture-app";
import { builtMiddlewareRuntime, startNextInstance } from "./next-app";
import { cookieHeader, signIn, type CookieJar } from "./sign-in";
import {
  DEMO_EMAIL,
  DEMO_PASSWORD,
  SESSION_COOKIE,
  decodeWithNextAuth,
  sessionOutcome,
  sessionSetCookie,
  sleep,
  startStack,
  type Stack,
} from "./stack";

const INSTANCES = 2;
const REQUESTS = 60;
/** The login's access token: short, so the storm does not wait long for it to expire. */
const LOGIN_TTL_SECONDS = 2;
const ENTRY_POINTS = [
  "edge-session-refresh",
  "edge-session-refresh/next",
  "edge-session-refresh/client",
  "edge-session-refresh/testing",
];

export interface FixtureExpectations {
  /** The Next major the fixture is pinned to (its own node_modules, not this repository's). */
  readonly nextMajor: number;
  /** Library imports the fixture must make at least (a Pages Router app reads the session with currentSession(req)). */
  readonly minimumLibraryImports: number;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((entry) => entry !== "node_modules" && entry !== ".next")
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory()
        ? sourceFiles(path)
        : /\.tsx?$/.test(entry) && entry !== "next-env.d.ts"
          ? [path]
          : [];
    });
}

export function describeFixture(name: FixtureName, expectations: FixtureExpectations): void {
  describe(`fixtures/${name} imports only the package's entry points`, () => {
    it("every import is relative, a package, or one of the library's entry points", () => {
      const root = fixtureDir(name);
      const files = sourceFiles(root);
      expect(files.length).toBeGreaterThan(5);
      const imports = files.flatMap((file) =>
        [
          ...readFileSync(file, "utf8").matchAll(
            /(?:^|\n)\s*(?:import|export)[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
          ),
        ].map((match) => ({
          file: file.slice(root.length + 1),
          specifier: match[1] ?? match[2]!,
        })),
      );
      const library = imports.filter(
        ({ specifier }) =>
          specifier.startsWith("@/") || specifier.startsWith("edge-session-refresh") || specifier.includes("packages/"),
      );
      expect(library.filter(({ specifier }) => !ENTRY_POINTS.includes(specifier))).toEqual([]);
      expect(library.length).toBeGreaterThanOrEqual(expectations.minimumLibraryImports);
    });
  });

  describe(`fixtures/${name}: the packed tarball installed, ${INSTANCES} instances on one Redis`, () => {
    let stack: Stack;
    let build: FixtureBuild;
    const url = (instance: number, path: string) => `${stack.instances[instance]!.url}${path}`;

    beforeAll(async () => {
      build = await ensureFixtureBuilt(name);
      stack = await startStack({
        instances: INSTANCES,
        backend: { refreshLatencyMs: 200, accessTokenTtlSeconds: LOGIN_TTL_SECONDS },
        env: { SESSION_REFRESH_SKEW_SECONDS: "0", BACKEND_LOGOUT_PATH: "/api/auth/logout" },
        ...build,
      });
      const steps = Object.entries(build.timings).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)} s`);
      console.info(
        `[fixture ${name}] next ${build.nextVersion}, ${build.reused ? "reused build" : "built"} in ${build.projectDir} (${steps.join(", ")})`,
      );
    }, FIXTURE_BUILD_TIMEOUT_MS);

    tearDownStack({ stack: () => stack });

    it(`runs its own Next ${expectations.nextMajor} with the package installed from the tarball, not linked`, async () => {
      expect(Number(build.nextVersion.split(".")[0])).toBe(expectations.nextMajor);
      const installed = join(build.projectDir, "node_modules", "edge-session-refresh");
      expect(lstatSync(installed).isSymbolicLink()).toBe(false);
      const library = await packedLibrary();
      for (const file of library.files) expect(existsSync(join(installed, file)), file).toBe(true);
      expect(existsSync(join(installed, "src")), "the tarball ships no sources").toBe(false);
    });

    it("its middleware runs on the edge and guards its own paths", async () => {
      expect(builtMiddlewareRuntime(build)).toBe("edge");
      const page = await fetch(url(0, "/dashboard"), { redirect: "manual" });
      expect(page.status).toBe(307);
      expect(page.headers.get("location")).toMatch(/\/login\?callbackUrl=%2Fdashboard$/);
      const api = await fetch(url(1, "/api/profile"));
      expect(api.status).toBe(401);
      const session = await fetch(url(0, "/api/auth/session"));
      expect(sessionOutcome(session.headers)).toBe("anonymous");
      expect(await session.json()).toEqual({});
      const login = await fetch(url(1, "/login"));
      expect(login.status).toBe(200);
      expect(sessionOutcome(login.headers)).toBeNull();
    });

    // Next 15's middleware sees every request as http://localhost:<port> whatever its Host, so the redirect
    // must come from the public origin, never from the URL Next hands the middleware (Next 16 makes a
    // same-origin Location relative itself; a relative one from the middleware is a 500 on both).
    it("its login redirect goes to the public origin: NEXTAUTH_URL, else a trusted proxy's forwarded host", async () => {
      // These instances' NEXTAUTH_URL is http://localhost:<port>; the test reaches them on 127.0.0.1, as a proxy would.
      const requested = url(0, "/dashboard");
      const page = await fetch(requested, {
        redirect: "manual",
        headers: { "x-forwarded-host": "spoofed.example.test" },
      });
      await page.body?.cancel();
      expect(page.status).toBe(307);
      // Next 16 makes a Location on the origin it serves relative itself (so the browser stays where it is);
      // an absolute one (Next 15) must be NEXTAUTH_URL's origin, never the spoofed host nor Next's own URL.
      const location = page.headers.get("location")!;
      if (!location.startsWith("/"))
        expect(new URL(location).origin).toBe(`http://localhost:${stack.instances[0]!.port}`);
      expect(location).not.toContain("spoofed.example.test");

      // Behind a trusted proxy (AUTH_TRUST_HOST), with no NEXTAUTH_URL: the host and scheme the proxy forwards.
      const proxied = await startNextInstance({
        env: { ...stack.env, AUTH_TRUST_HOST: "1" },
        unset: ["NEXTAUTH_URL"],
        distDir: build.distDir,
        projectDir: build.projectDir,
        nextBin: build.nextBin,
      });
      try {
        const behind = await fetch(`${proxied.url}/dashboard`, {
          redirect: "manual",
          headers: { "x-forwarded-host": "app.example.test", "x-forwarded-proto": "https" },
        });
        await behind.body?.cancel();
        expect(behind.status, proxied.output()).toBe(307);
        const location = new URL(behind.headers.get("location")!, `${proxied.url}/dashboard`);
        expect(location.origin).toBe("https://app.example.test");
        expect(location.pathname).toBe("/login");
        expect(location.searchParams.get("callbackUrl")).toBe("/dashboard");
      } finally {
        await proxied.stop();
      }
      // One more `next start` of the fixture: its start-up is most of this test's time.
    }, 90_000);

    it("its edge bundle, from the installed package, holds no next-auth module and stays within the budget", () => {
      const dist = join(build.projectDir, build.distDir);
      const size = measureMiddlewareBundle(dist);
      expect(size.gzipBytes).toBeLessThan(BUDGET_GZIP_BYTES);
      // The packages the middleware's code came from, by its source maps where the build writes them.
      const packages = new Set<string>();
      for (const { file } of size.files) {
        if (!existsSync(join(dist, `${file}.map`))) continue;
        const map = JSON.parse(readFileSync(join(dist, `${file}.map`), "utf8")) as {
          sources?: string[];
          sections?: Array<{ map: { sources?: string[] } }>;
        };
        for (const source of [
          ...(map.sources ?? []),
          ...(map.sections ?? []).flatMap((section) => section.map.sources ?? []),
        ]) {
          const match = /node_modules\/((?:@|%40)[^/]+\/[^/]+|[^/]+)\//.exec(source);
          if (match) packages.add(decodeURIComponent(match[1]!));
        }
      }
      const code = size.files.map(({ file }) => readFileSync(join(dist, file), "utf8")).join("\n");
      // Without source maps (webpack's edge build writes none) the code itself: next-auth's own error names.
      expect(code).not.toMatch(/next-auth\/|NextAuthError|JWTSessionError/);
      expect([...packages].filter((pkg) => pkg.startsWith("next-auth") || pkg === "react-dom")).toEqual([]);
      console.info(
        `[fixture ${name}] edge middleware ${(size.gzipBytes / 1024).toFixed(1)} KiB gzipped (${(size.bytes / 1024).toFixed(1)} KiB raw)${packages.size > 0 ? ` from ${[...packages].sort().join(", ")}` : ""}`,
      );
    });

    it(`one expired session, ${REQUESTS} concurrent requests: 1 refresh, all 200, the late old cookie replayed; its role claim shows and no token does`, async () => {
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
      const request = async (instance: number, path: string) => {
        const response = await fetch(url(instance, path), { headers: { cookie }, redirect: "manual" });
        return {
          path,
          status: response.status,
          outcome: sessionOutcome(response.headers),
          cookie: sessionSetCookie(response),
          body: await response.text(),
        };
      };
      const results = await Promise.all(
        Array.from({ length: REQUESTS }, (_, index) => request(index % INSTANCES, paths[index % paths.length]!)),
      );

      const stats = stack.backend.stats();
      expect(stats, JSON.stringify(stats)).toMatchObject({
        refreshes: 1,
        refreshAttempts: 1,
        reuseDetections: 0,
        familiesRevoked: 0,
      });
      expect(
        results.filter((result) => result.status !== 200).map((result) => `${result.path} ${result.status}`),
      ).toEqual([]);
      const outcomes: Record<string, number> = {};
      for (const { outcome } of results) outcomes[String(outcome)] = (outcomes[String(outcome)] ?? 0) + 1;
      expect(outcomes.refreshed, JSON.stringify(outcomes)).toBe(1);
      expect((outcomes.joined ?? 0) + (outcomes.replayed ?? 0), JSON.stringify(outcomes)).toBe(REQUESTS - 1);

      // Everyone got the same new tokens, and the app's role claim went along with the middleware's refresh.
      const decoded = await Promise.all(
        results.map((result) => decodeWithNextAuth(stack.secret, result.cookie!.value)),
      );
      const newRefreshTokens = new Set(decoded.map((claims) => claims?.refreshToken));
      expect(newRefreshTokens.size).toBe(1);
      const [newRefreshToken] = [...newRefreshTokens] as string[];
      expect(newRefreshToken).not.toBe(oldRefreshToken);
      for (const claims of decoded) expect(claims).toMatchObject({ role: "admin", email: DEMO_EMAIL });
      const newAccessToken = decoded[0]!.accessToken as string;
      const newExpires = decoded[0]!.accessTokenExpires as number;

      const expectServed = (result: (typeof results)[number]) => {
        if (result.path === "/dashboard") {
          // The page called the backend with the refreshed access token (currentSession), in this request.
          expect(result.body).toContain(`data-testid="profile-email">${DEMO_EMAIL}<`);
          expect(result.body).toContain('data-testid="server-role">admin<');
          expect(result.body).toContain(new Date(newExpires).toISOString());
        } else if (result.path === "/api/profile") {
          expect(JSON.parse(result.body)).toMatchObject({
            profile: { email: DEMO_EMAIL },
            accessTokenExpires: newExpires,
          });
        } else {
          expect(JSON.parse(result.body)).toMatchObject({ user: { email: DEMO_EMAIL, role: "admin" } });
        }
        for (const secret of [oldRefreshToken, newRefreshToken, newAccessToken, signedIn!.accessToken as string])
          expect(result.body).not.toContain(secret);
      };
      for (const result of results) expectServed(result);

      // A tab that was asleep through the storm sends the old cookie now, after the refresh: each instance
      // hands it the successor from the shared store, without asking the backend again.
      const late = await Promise.all(paths.map((path, index) => request(index % INSTANCES, path)));
      for (const result of late) {
        expect(`${result.path} ${result.status} ${result.outcome}`).toBe(`${result.path} 200 replayed`);
        expect((await decodeWithNextAuth(stack.secret, result.cookie!.value))?.refreshToken).toBe(newRefreshToken);
        expectServed(result);
      }
      expect(stack.backend.stats()).toMatchObject({ refreshes: 1, refreshAttempts: 1, reuseDetections: 0 });
      expect(stack.leakedTokens()).toEqual([]);
      console.info(
        `[fixture ${name}] ${REQUESTS} requests over ${INSTANCES} instances; outcomes ${JSON.stringify(outcomes)}; late old cookie: ${late.map((result) => result.outcome).join(", ")}; backend ${JSON.stringify(stats)}`,
      );
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
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: [cookieHeader(jar), ...csrfCookie].join("; "),
        },
        body: new URLSearchParams({ csrfToken, json: "true" }),
      });
      expect(out.status).toBeLessThan(400);
      expect(stack.backend.stats()).toMatchObject({ revocations: 1 });
      // The revoked token is dead at the backend: a refresh with it is refused.
      const refresh = await fetch(`${stack.backend.url}/api/auth/refresh-token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refreshToken }),
      });
      expect(refresh.status).toBe(401);
    });
  });
}
