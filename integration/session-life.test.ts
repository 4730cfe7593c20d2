/**
 * The ends of a session's life against real `next start` instances: a secret rotated during a rolling
 * deploy (old and new instances side by side, on different secret lists) neither signs anyone out nor
 * refreshes twice; and sign-out ends the session at the backend, so a cookie copied before it, replayed
 * as an attacker would once its access token ran out, gets nothing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { tally } from "../test-support/browsing";
import { ensureAppBuilt } from "../test-support/next-app";
import { cookieHeader, signIn, signOut, storeCookies } from "../test-support/sign-in";
import {
  backendLogin,
  DEMO_EMAIL,
  DEMO_PASSWORD,
  expiredSession,
  sessionOutcome,
  sleep,
  startStack,
  type Stack,
} from "../test-support/stack";

const OLD_SECRET = `old-secret-${"o".repeat(40)}`;
const NEW_SECRET = `new-secret-${"n".repeat(40)}`;

const stacks: Stack[] = [];
beforeAll(async () => {
  await ensureAppBuilt();
}, 600_000);
afterAll(async () => {
  for (const stack of stacks) await stack.stop();
});
afterEach(({ task }) => {
  if (task.result?.state === "fail") for (const stack of stacks) console.error(stack.output().slice(-20_000));
});

describe("secret rotation during a rolling deploy", () => {
  it("old and new instances on different secret lists share one refresh and read each other's cookies", async () => {
    const stack = await startStack({
      instances: 2,
      backend: { refreshLatencyMs: 150 },
      // Step two of the procedure in SECURITY.md: the old instance still writes with the old secret and
      // reads the new one, the new instance the other way round.
      instanceEnv: (index) =>
        index === 0
          ? { NEXTAUTH_SECRET: OLD_SECRET, NEXTAUTH_SECRET_PREVIOUS: NEW_SECRET }
          : { NEXTAUTH_SECRET: NEW_SECRET, NEXTAUTH_SECRET_PREVIOUS: OLD_SECRET },
    });
    stacks.push(stack);
    const session = await expiredSession(OLD_SECRET, await backendLogin(stack.backend.url));
    stack.backend.resetStats();

    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, index) => {
        const response = await fetch(`${stack.instances[index % 2]!.url}/api/profile`, {
          headers: { cookie: session.header },
          redirect: "manual",
        });
        const jar = storeCookies(new Map(), response);
        await response.body?.cancel();
        return { status: response.status, outcome: sessionOutcome(response.headers), jar };
      }),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 40 });
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 1, reuseDetections: 0 });

    // A cookie written by the new instance works on the old one, and the other way round.
    for (const [written, readBy] of [
      [1, 0],
      [0, 1],
    ] as const) {
      const jar = results.find((_, index) => index % 2 === written)!.jar;
      const response = await fetch(`${stack.instances[readBy]!.url}/api/profile`, {
        headers: { cookie: cookieHeader(jar) },
        redirect: "manual",
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toContain(DEMO_EMAIL);
    }
    await expectLogsCarryNoToken(stack, /"event":"refresh"/);
  }, 90_000);
});

const signOutVariants: Array<{ name: string; backend: { shape?: "oauth" }; env: Record<string, string> }> = [
  { name: "JSON protocol, BACKEND_LOGOUT_PATH", backend: {}, env: { BACKEND_LOGOUT_PATH: "/api/auth/logout" } },
  {
    name: "oauth2, RFC 7009 revocation",
    backend: { shape: "oauth" as const },
    env: {
      BACKEND_PROTOCOL: "oauth2",
      BACKEND_CLIENT_ID: "demo-client",
      BACKEND_CLIENT_SECRET: "demo-secret",
      BACKEND_REVOCATION_PATH: "/oauth/revoke",
    },
  },
];

describe.each(signOutVariants)("sign-out ($name)", ({ backend, env }) => {
  it("revokes once at the backend; a cookie copied before sign-out gets no fresh session after its access token expires", async () => {
    const stack = await startStack({
      instances: 2,
      backend: { ...backend, accessTokenTtlSeconds: 3 },
      env: { ...env, SESSION_REFRESH_SKEW_SECONDS: "1" },
    });
    stacks.push(stack);
    const jar = await signIn(stack.instances[0]!.url, DEMO_EMAIL, DEMO_PASSWORD);
    // Live a little first, so the session has a chain of rotated tokens behind it.
    await sleep(2_500);
    const refreshed = await fetch(`${stack.instances[1]!.url}/api/profile`, {
      headers: { cookie: cookieHeader(jar) },
      redirect: "manual",
    });
    storeCookies(jar, refreshed);
    expect(refreshed.status).toBe(200);
    const copied = cookieHeader(jar);
    stack.backend.resetStats();

    const response = await signOut(stack.instances[0]!.url, jar);
    expect(response.status).toBeLessThan(400);
    expect([...jar.keys()].some((name) => name.includes("session-token"))).toBe(false);
    expect(stack.backend.stats()).toMatchObject({ revocations: 1 });

    await sleep(3_500); // the copied cookie's access token runs out
    for (const instance of stack.instances) {
      const replay = await fetch(`${instance.url}/api/profile`, { headers: { cookie: copied }, redirect: "manual" });
      expect(replay.status).toBe(401);
      expect(await replay.json()).toMatchObject({ error: "session_expired" });
      const page = await fetch(`${instance.url}/dashboard`, { headers: { cookie: copied }, redirect: "manual" });
      expect(page.headers.get("location") ?? "").toContain("/login?error=SessionExpired");
      await page.body?.cancel();
    }
    expect(stack.backend.stats()).toMatchObject({ refreshes: 0, revocations: 1 });
    await expectLogsCarryNoToken(stack, /"event":"sign-out"/);
  }, 90_000);
});

/** Once the event this test caused is logged, no log line of any instance carries a token the backend issued. */
async function expectLogsCarryNoToken(stack: Stack, event: RegExp): Promise<void> {
  await stack.waitForOutput(event);
  expect(stack.backend.issuedTokens().length).toBeGreaterThan(0);
  expect(stack.leakedTokens()).toEqual([]);
}
