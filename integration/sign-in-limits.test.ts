/**
 * Password guessing and spraying through two real `next start` instances sharing one real store (the
 * Upstash-REST bridge over a real Redis), with the platform's `x-forwarded-for` set as Vercel sets it
 * (SIGNIN_CLIENT_IP_HEADER=x-forwarded-for) plus a spoofed entry on the left that must change nothing.
 * What reaches the reference backend is counted there (loginRequests), with the address it was told.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureAppBuilt, startNextInstance, type NextInstance } from "../test-support/next-app";
import { cookieHeader, storeCookies, type CookieJar } from "../test-support/sign-in";
import { DEMO_EMAIL, DEMO_PASSWORD, startStack, type Stack } from "../test-support/stack";

let stack: Stack;

beforeAll(async () => {
  await ensureAppBuilt();
  stack = await startStack({ instances: 2, env: { SIGNIN_CLIENT_IP_HEADER: "x-forwarded-for" } });
}, 600_000);

afterAll(async () => {
  await stack?.stop();
});

afterEach(({ task }) => {
  if (task.result?.state === "fail" && stack) console.error(stack.output());
});

interface Attempt {
  /** next-auth's `error` code, or null when signed in. */
  readonly error: string | null;
  readonly signedIn: boolean;
}

/** One sign-in through next-auth's own routes, as the login form posts it, from `address`. */
async function attempt(
  instance: number,
  identifier: string,
  password: string,
  address: string,
  urls = stack.instances.map((app) => app.url),
): Promise<Attempt> {
  const url = urls[instance % urls.length]!;
  // The client may write anything on the left; the platform's entry is the right-most.
  const forwardedFor = `6.6.6.6, ${address}`;
  const jar: CookieJar = new Map();
  const csrf = await fetch(`${url}/api/auth/csrf`, { headers: { "x-forwarded-for": forwardedFor } });
  storeCookies(jar, csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const response = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      cookie: cookieHeader(jar),
      "x-forwarded-for": forwardedFor,
    },
    body: new URLSearchParams({ csrfToken, identifier, password, json: "true" }),
  });
  storeCookies(jar, response);
  expect(response.status).toBeLessThan(500);
  const body = (await response.json()) as { url: string };
  return {
    error: new URL(body.url).searchParams.get("error"),
    signedIn: [...jar.keys()].some((name) => name.includes("session-token")),
  };
}

describe("sign-in limits over 2 instances and a shared store", () => {
  it("30 wrong passwords for one account from one address: 5 reach the backend, the rest are told to wait; the real person elsewhere signs in", async () => {
    stack.backend.resetStats();
    const attacker = "198.51.100.23";
    // Ten at a time, alternating instances: concurrent guesses must not slip past the counter.
    const results: Attempt[] = [];
    for (let batch = 0; batch < 3; batch++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) => attempt(i, DEMO_EMAIL, `wrong-${batch}-${i}`, attacker)),
        )),
      );
    }
    const reached = stack.backend.loginRequests();
    expect(reached).toHaveLength(5);
    expect(reached.every((request) => request.forwardedFor === attacker)).toBe(true);
    expect(results.filter((r) => r.error === "CredentialsSignin")).toHaveLength(5);
    const limited = results.filter((r) => r.error?.startsWith("TooManyAttempts:"));
    expect(limited).toHaveLength(25);
    for (const r of limited) expect(Number(r.error!.split(":")[1])).toBeGreaterThanOrEqual(1);
    expect(results.some((r) => r.signedIn)).toBe(false);

    // The person, from home, during the attack: in, and the backend hears from where.
    const person = await attempt(1, "  Demo@Example.com", DEMO_PASSWORD, "192.0.2.44");
    expect(person).toEqual({ error: null, signedIn: true });
    expect(stack.backend.loginRequests().at(-1)?.forwardedFor).toBe("192.0.2.44");

    // Even the right password from the attacker's address waits: the door is shut for that pair.
    expect((await attempt(0, DEMO_EMAIL, DEMO_PASSWORD, attacker)).error).toMatch(/^TooManyAttempts:\d+$/);
    expect(stack.backend.loginRequests()).toHaveLength(6);
  });

  it("40 accounts sprayed from one address: 20 reach the backend, each named with that address", async () => {
    stack.backend.resetStats();
    const sprayer = "203.0.113.99";
    const results: Attempt[] = [];
    for (let i = 0; i < 40; i++) results.push(await attempt(i, `user${i}@example.com`, "Summer2026!", sprayer));
    const reached = stack.backend.loginRequests();
    expect(reached).toHaveLength(20);
    expect(new Set(reached.map((request) => request.forwardedFor))).toEqual(new Set([sprayer]));
    expect(results.slice(20).every((r) => r.error === "TooManyAttempts:1")).toBe(true);
  });

  it("logs one JSON line per limited attempt, with neither identifier nor address in clear", () => {
    const output = stack.output();
    const lines = output.split("\n").filter((line) => line.includes('"event":"signin-limited"'));
    // 25 + 1 from the guessing test, 20 from the spray.
    expect(lines).toHaveLength(46);
    for (const line of lines) expect(() => JSON.parse(line.slice(line.indexOf("{")))).not.toThrow();
    for (const clear of ["198.51.100.23", "203.0.113.99", "6.6.6.6", "192.0.2.44", DEMO_EMAIL, "user1@example.com"])
      expect(output).not.toContain(clear);
  });

  it("an instance without SIGNIN_CLIENT_IP_HEADER says at start-up that per-address limits are off, and forwards no address", async () => {
    const { SIGNIN_CLIENT_IP_HEADER: _unset, ...env } = stack.env;
    const instance = await startNextInstance({ env });
    try {
      stack.backend.resetStats();
      const jar: CookieJar = new Map();
      const csrf = await fetch(`${instance.url}/api/auth/csrf`);
      storeCookies(jar, csrf);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const response = await fetch(`${instance.url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          cookie: cookieHeader(jar),
          "x-forwarded-for": "198.51.100.1",
        },
        body: new URLSearchParams({ csrfToken, identifier: DEMO_EMAIL, password: "wrong", json: "true" }),
      });
      await response.body?.cancel();
      expect(instance.output()).toContain("SIGNIN_CLIENT_IP_HEADER is not set");
      // Like the lock store's announcement: once per Node isolate that builds a runtime (not per request).
      expect(instance.output().match(/SIGNIN_CLIENT_IP_HEADER is not set/g)!.length).toBeLessThanOrEqual(
        instance.output().match(/\[session\] lock store:/g)!.length,
      );
      expect(stack.backend.loginRequests().map((request) => request.forwardedFor)).toEqual([null]);
    } finally {
      await instance.stop();
    }
  });
});

describe("sign-in limits on MIGRATING's own-fetch route (authorize calls the backend itself, never passes req on)", () => {
  let ownFetch: NextInstance[] = [];

  beforeAll(async () => {
    // Two more instances of the demo on the same store and backend, signing in through src/auth/own-fetch-authorize.ts.
    ownFetch = await Promise.all(
      [0, 1].map(() => startNextInstance({ env: { ...stack.env, DEMO_SIGN_IN: "own-fetch" } })),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(ownFetch.map((instance) => instance.stop()));
  });

  afterEach(({ task }) => {
    if (task.result?.state === "fail") for (const instance of ownFetch) console.error(instance.output());
  });

  it("30 wrong passwords for one account from one address over 2 instances: 5 reach the backend, the rest are told to wait", async () => {
    stack.backend.resetStats();
    const urls = ownFetch.map((instance) => instance.url);
    const attacker = "198.51.100.77";
    const results: Attempt[] = [];
    for (let batch = 0; batch < 3; batch++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            attempt(i, "own-fetch@example.com", `wrong-${batch}-${i}`, attacker, urls),
          ),
        )),
      );
    }
    expect(stack.backend.loginRequests()).toHaveLength(5);
    expect(results.filter((r) => r.error === "CredentialsSignin")).toHaveLength(5);
    expect(results.filter((r) => /^TooManyAttempts:\d+$/.test(r.error ?? ""))).toHaveLength(25);
    // The person, from elsewhere: in, through the same own-fetch authorize.
    expect(await attempt(1, DEMO_EMAIL, DEMO_PASSWORD, "192.0.2.45", urls)).toEqual({ error: null, signedIn: true });
    expect(stack.backend.loginRequests()).toHaveLength(6);
  });
});
