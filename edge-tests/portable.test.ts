/**
 * The portable cases on workerd (STYLE.md, principle 12): the core's codec against next-auth's own, both
 * ways and chunked; unreadable cookies; the middleware's decision for a fresh and an expired session,
 * with the lock store and the backend counted. Node (next-auth) on one side, workerd on the other.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decode as nextAuthDecode, encode as nextAuthEncode, getToken } from "next-auth/jwt";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { mintSessionCookie } from "edge-session-refresh/testing";
import { UNAVAILABLE_MARKER_TTL_MS, watchKeyExpiry } from "../test-support/key-expiry";
import { BIG_SESSION_CLAIMS, SESSION_CLAIMS } from "../test-support/package-internals";
import { buildEdgeBundle, bundleWorker } from "./bundle";
import {
  askGate,
  expiredSession,
  login,
  sessionAfter,
  startIsolates,
  startStack,
  type Deployment,
  type EdgeIsolate,
  type Stack,
} from "./harness";

const SECRET = "edge-portable-secret-0123456789abcdef";
const OTHER_SECRET = "some-other-deployment-secret-987654321";
const ROTATED_SECRET = "edge-portable-rotated-secret-abcdef012345";
const COOKIE = "next-auth.session-token";
const SECURE_COOKIE = "__Secure-next-auth.session-token";
/** next-auth v4's own figure (core/lib/cookie.js): 4096 bytes per cookie minus 163 for name and attributes. */
const CHUNK_SIZE = 4096 - 163;
const MAX_AGE_SECONDS = 3600;
/** The hasty worker gives the backend this long: a hung refresh must end in time, in workerd too. */
const HASTY_BACKEND_TIMEOUT_MS = 300;

/** The codec unit tests' own session, so workerd runs the same cases (test-support/package-internals.ts). */
const claims = SESSION_CLAIMS;
const bigClaims = BIG_SESSION_CLAIMS;

let stack: Stack;
let deployment: Deployment;
let edge: EdgeIsolate;
let rotated: EdgeIsolate;
let misconfigured: EdgeIsolate;
let hasty: EdgeIsolate;

beforeAll(async () => {
  stack = await startStack();
  const common = { BACKEND_URL: stack.backend.url, ...stack.storeBindings };
  const workers: Array<Record<string, string>> = [
    { ...common, NEXTAUTH_SECRET: SECRET },
    // A deployment mid-rotation on https: new secret, old one still read, __Secure- cookie names.
    {
      ...common,
      NEXTAUTH_SECRET: ROTATED_SECRET,
      NEXTAUTH_SECRET_PREVIOUS: SECRET,
      NEXTAUTH_URL: "https://app.example.com",
    },
    // Three mistakes at once, as an operator might make them: no secret, a URL without its token, a bad skew.
    { BACKEND_URL: stack.backend.url, UPSTASH_REDIS_REST_URL: stack.bridge.url, SESSION_REFRESH_SKEW_SECONDS: "soon" },
    { ...common, NEXTAUTH_SECRET: SECRET, BACKEND_TIMEOUT_MS: String(HASTY_BACKEND_TIMEOUT_MS) },
  ];
  deployment = await startIsolates({
    processes: 1,
    workersPerProcess: workers.length,
    bindings: {},
    bindingsFor: (i) => workers[i]!,
    namePrefix: "portable",
  });
  [edge, rotated, misconfigured, hasty] = deployment.isolates as [EdgeIsolate, EdgeIsolate, EdgeIsolate, EdgeIsolate];
});

afterAll(async () => {
  await deployment?.dispose();
  await stack?.close();
});

beforeEach(() => {
  stack.backend.setOptions({ failMode: "none" });
  stack.backend.resetStats();
  stack.bridge.resetStats();
});

/** next-auth's chunking, written out independently of the core's: `<name>.<i>`, CHUNK_SIZE each. */
function nextAuthChunks(name: string, jwe: string): Array<{ name: string; value: string }> {
  const count = Math.ceil(jwe.length / CHUNK_SIZE);
  if (count === 1) return [{ name, value: jwe }];
  return Array.from({ length: count }, (_, i) => ({
    name: `${name}.${i}`,
    value: jwe.slice(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE),
  }));
}

function header(cookies: ReadonlyArray<{ name: string; value: string }>): string {
  return cookies.map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

async function workerDecode(isolate: EdgeIsolate, cookie: string): Promise<Record<string, unknown> | null> {
  const response = await isolate.fetch("/decode", { method: "POST", body: JSON.stringify({ cookie }) });
  expect(response.status).toBe(200);
  return ((await response.json()) as { claims: Record<string, unknown> | null }).claims;
}

async function workerEncode(
  isolate: EdgeIsolate,
  payload: Record<string, unknown>,
): Promise<Array<{ name: string; value: string }>> {
  const response = await isolate.fetch("/encode", {
    method: "POST",
    body: JSON.stringify({ claims: payload, maxAgeSeconds: MAX_AGE_SECONDS }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { cookies: Array<{ name: string; value: string }> }).cookies;
}

/** next-auth's own reader for a cookie set, chunks and all: getToken, as a Next route would call it. */
function nextAuthGetToken(cookies: ReadonlyArray<{ name: string; value: string }>, secret: string, secure = false) {
  return getToken({
    req: {
      headers: { cookie: header(cookies) },
      cookies: Object.fromEntries(cookies.map((c) => [c.name, c.value])),
    } as never,
    secret,
    secureCookie: secure,
  });
}

describe("the bundle", () => {
  it("is built from the packed package's core entry and web-only dependencies, with nothing from Node", async () => {
    const bundle = await bundleWorker();
    console.log(
      `[edge-tests] worker bundle: ${bundle.code.length} bytes from ${bundle.inputs.length} inputs, ${bundle.cached ? "cached" : `built in ${bundle.buildMs} ms`}`,
    );
    // The built package (dist/), as an app installs it, never its sources or another entry point's code.
    expect(bundle.inputs).toContain("packages/edge-session-refresh/dist/core/index.js");
    expect(
      bundle.inputs.filter(
        (input) => input.startsWith("packages/") && !input.startsWith("packages/edge-session-refresh/dist/"),
      ),
    ).toEqual([]);
    expect(bundle.inputs.filter((input) => input.includes("/dist/next/") || input.includes("/dist/client/"))).toEqual(
      [],
    );
  });

  it("worker.ts type-checks with web libs only, like the core (no Node globals such as Buffer or process)", async () => {
    const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
    const run = promisify(execFile)(process.execPath, [tsc, "-p", "edge-tests/tsconfig.worker.json"], {
      cwd: join(import.meta.dirname, ".."),
    });
    await expect(
      run.then(
        () => "clean",
        (error: { stdout?: string }) => error.stdout ?? String(error),
      ),
    ).resolves.toBe("clean");
  });

  it.each([
    [
      "node:crypto",
      `import { randomBytes } from "node:crypto"; export default { fetch: () => new Response(randomBytes(4).toString("hex")) };`,
    ],
    [
      "a bare built-in",
      `import { readFileSync } from "fs"; export default { fetch: () => new Response(String(readFileSync)) };`,
    ],
  ])("fails to build when anything imports %s", async (_label, source) => {
    const dir = await mkdtemp(join(tmpdir(), "esr-edge-guard-"));
    try {
      const entry = join(dir, "entry.ts");
      await writeFile(entry, source);
      await expect(buildEdgeBundle(entry)).rejects.toThrow(/is a Node built-in/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("codec interop between next-auth in Node and the core in workerd", () => {
  it.each([
    ["unchunked", claims, 1],
    ["chunked", bigClaims, 3],
  ])("a %s cookie written by next-auth's encode is read in workerd", async (_label, payload, chunkCount) => {
    const jwe = await nextAuthEncode({ token: payload, secret: SECRET });
    const cookies = nextAuthChunks(COOKIE, jwe);
    expect(cookies).toHaveLength(chunkCount);
    // Chunks arrive in any order; they are joined by suffix, as next-auth does.
    expect(await workerDecode(edge, header([...cookies].reverse()))).toMatchObject(payload);
  });

  it.each([
    ["unchunked", claims, 1],
    ["chunked", bigClaims, 3],
  ])(
    "a %s cookie written in workerd is read by next-auth's decode and getToken",
    async (_label, payload, chunkCount) => {
      const cookies = await workerEncode(edge, payload);
      expect(cookies.map((c) => c.name)).toEqual(
        chunkCount === 1 ? [COOKIE] : Array.from({ length: chunkCount }, (_, i) => `${COOKIE}.${i}`),
      );
      expect(Math.max(...cookies.map((c) => c.value.length))).toBeLessThanOrEqual(CHUNK_SIZE);
      const decoded = await nextAuthDecode({ token: cookies.map((c) => c.value).join(""), secret: SECRET });
      expect(decoded).toMatchObject(payload);
      expect(decoded?.exp).toBe((decoded?.iat as number) + MAX_AGE_SECONDS);
      expect(decoded?.jti).toEqual(expect.any(String));
      expect(await nextAuthGetToken(cookies, SECRET)).toMatchObject(payload);
    },
  );

  it("mid-rotation on https: reads the previous secret's __Secure- cookie and writes with the new secret", async () => {
    const old = nextAuthChunks(SECURE_COOKIE, await nextAuthEncode({ token: claims, secret: SECRET }));
    expect(await workerDecode(rotated, header(old))).toMatchObject(claims);
    expect(
      await workerDecode(rotated, header([{ name: COOKIE, value: old[0]!.value }])),
      "the plain name is not read on https",
    ).toBeNull();

    const fresh = await workerEncode(rotated, claims);
    expect(fresh.map((c) => c.name)).toEqual([SECURE_COOKIE]);
    expect(await nextAuthGetToken(fresh, ROTATED_SECRET, true)).toMatchObject(claims);
    await expect(nextAuthDecode({ token: fresh[0]!.value, secret: SECRET })).rejects.toMatchObject({
      code: "ERR_JWE_DECRYPTION_FAILED",
    });
  });
});

describe("an unreadable session cookie is anonymous, never an error", () => {
  const cases: Array<[string, () => Promise<string>]> = [
    [
      "another deployment's secret",
      async () => `${COOKIE}=${await nextAuthEncode({ token: claims, secret: OTHER_SECRET })}`,
    ],
    [
      "a flipped ciphertext character",
      async () => {
        const parts = (await nextAuthEncode({ token: claims, secret: SECRET })).split(".");
        parts[3] = (parts[3]!.startsWith("A") ? "B" : "A") + parts[3]!.slice(1);
        return `${COOKIE}=${parts.join(".")}`;
      },
    ],
    [
      "a chunk set missing its last chunk",
      async () =>
        header(nextAuthChunks(COOKIE, await nextAuthEncode({ token: bigClaims, secret: SECRET })).slice(0, -1)),
    ],
    [
      "random bytes",
      async () => `${COOKIE}=${Buffer.from(crypto.getRandomValues(new Uint8Array(300))).toString("base64")}`,
    ],
    ["five dotted base64url parts", async () => `${COOKIE}=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..AAAA.BBBB.CCCC`],
    ["a signed JWT instead of a JWE", async () => `${COOKIE}=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln`],
    [
      "a session that expired an hour ago",
      async () => `${COOKIE}=${await nextAuthEncode({ token: claims, secret: SECRET, maxAge: -3600 })}`,
    ],
    [
      "a valid JWE without backend tokens",
      async () => `${COOKIE}=${await nextAuthEncode({ token: { sub: "user-1" }, secret: SECRET })}`,
    ],
    ["percent signs and quotes", async () => `${COOKIE}="%E0%A4%A"; ${COOKIE}.0=%%%`],
  ];

  it.each(cases)("%s", async (_label, makeCookie) => {
    const cookie = await makeCookie();
    const reply = await askGate(edge, cookie);
    expect(reply.status, JSON.stringify(reply.body)).toBe(401);
    expect(reply.body.outcome).toBe("anonymous");
    expect(reply.serverTiming).toMatch(/^session;desc="anonymous";dur=/);
    // Every session cookie the browser sent is expired, and nothing else is written.
    const sent = [...new Set(cookie.split(";").map((pair) => pair.split("=")[0]!.trim()))];
    expect(reply.setCookies.map((c) => c.name).sort()).toEqual(sent.sort());
    expect(reply.setCookies.filter((c) => !c.expired || c.value !== "")).toEqual([]);
    expect(stack.bridge.stats().requests, "no lock-store request for an unreadable cookie").toBe(0);
    expect(stack.backend.stats().refreshAttempts).toBe(0);
  });

  /** More chunks than next-auth ever writes (the core refuses past 32 rather than join them). */
  const fortyChunks = header(
    Array.from({ length: 40 }, (_, i) => ({ name: `${COOKIE}.${i}`, value: "A".repeat(100) })),
  );

  it("forty chunks: anonymous, without a 500 or any lock-store or backend call", async () => {
    const reply = await askGate(edge, fortyChunks);
    expect(reply.status).toBe(401);
    expect(reply.body.outcome).toBe("anonymous");
    expect(stack.bridge.stats().requests).toBe(0);
    expect(stack.backend.stats().refreshAttempts).toBe(0);
  });

  // More chunks than next-auth would ever write are unreadable, and like any unreadable session cookie they
  // are expired, so the browser stops sending them.
  it("forty chunks are expired like any other unreadable session cookie", async () => {
    const reply = await askGate(edge, fortyChunks);
    expect(reply.setCookies.filter((c) => c.expired)).toHaveLength(40);
  });

  it("no cookie at all: anonymous, and nothing written", async () => {
    const reply = await askGate(edge, null);
    expect(reply.body.outcome).toBe("anonymous");
    expect(reply.setCookies).toEqual([]);
  });
});

describe("the middleware's decision in workerd", () => {
  it("a fresh session is valid with zero lock-store commands and no backend call", async () => {
    const tokens = await login(stack.backend);
    stack.backend.resetStats();
    const { header: cookie } = await mintSessionCookie({ secret: SECRET, tokens });
    const replies = await Promise.all(Array.from({ length: 10 }, () => askGate(edge, cookie)));
    for (const reply of replies) {
      expect(reply.status).toBe(200);
      expect(reply.body.outcome).toBe("valid");
      expect(reply.setCookies).toEqual([]);
      expect(reply.serverTiming).toMatch(/^session;desc="valid";dur=\d+(\.\d+)?$/);
    }
    expect(stack.bridge.stats()).toMatchObject({ requests: 0, commands: 0 });
    expect(stack.backend.stats().refreshAttempts).toBe(0);
  });

  it("an expired session is refreshed: a cookie next-auth's decode reads, with the new refresh token; then late tabs replay it", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    stack.backend.resetStats();

    const reply = await askGate(edge, session.cookie);
    expect(reply.status).toBe(200);
    expect(reply.body.outcome).toBe("refreshed");
    expect(reply.serverTiming).toMatch(/^session;desc="refreshed";dur=\d+(\.\d+)?$/);
    expect(reply.setCookies.map((c) => [c.name, c.expired])).toEqual([[COOKIE, false]]);
    expect(reply.setCookies[0]!.raw).toMatch(/; Path=\/; Expires=[^;]+; HttpOnly; SameSite=lax$/);
    const next = await sessionAfter(reply.setCookies, SECRET);
    expect(next).toMatchObject({
      sub: "user-1",
      email: "demo@example.com",
      name: "Demo User",
      refreshToken: reply.body.refreshToken,
    });
    expect(next!.refreshToken).not.toBe(session.tokens.refreshToken);
    expect(next!.accessToken).not.toBe(session.tokens.accessToken);
    expect(next!.accessTokenExpires as number).toBeGreaterThan(Date.now());
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, refreshAttempts: 1, reuseDetections: 0 });
    const afterRefresh = stack.bridge.stats();
    console.log(
      `[edge-tests] one refresh in workerd: lock-store commands ${afterRefresh.commands} ${JSON.stringify(afterRefresh.byCommand)}`,
    );
    // A claim and a settle, each possibly preceded by a NOSCRIPT EVALSHA the first time.
    expect(afterRefresh.commands).toBeLessThanOrEqual(4);

    // A tab that still sends the old cookie gets the same successor from the store, without the backend.
    const late = await askGate(edge, session.cookie);
    expect(late.body.outcome).toBe("replayed");
    expect(await sessionAfter(late.setCookies, SECRET)).toMatchObject({ refreshToken: reply.body.refreshToken });
    // And the new cookie is simply valid.
    const cookie = reply.setCookies.map((c) => `${c.name}=${c.value}`).join("; ");
    expect((await askGate(edge, cookie)).body.outcome).toBe("valid");
    expect(stack.backend.stats().refreshAttempts).toBe(1);
  });

  it("a hung backend ends in `unavailable` after BACKEND_TIMEOUT_MS, the session kept; it refreshes once the backend answers", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    stack.backend.resetStats();
    const watch = await watchKeyExpiry(stack.redis.url);
    onTestFinished(() => watch.close());
    stack.backend.setOptions({ failMode: "hang" });
    const started = performance.now();
    const hung = await askGate(hasty, session.cookie);
    const ms = performance.now() - started;
    console.log(
      `[edge-tests] a hung backend with BACKEND_TIMEOUT_MS=${HASTY_BACKEND_TIMEOUT_MS}: unavailable after ${Math.round(ms)} ms`,
    );
    expect(hung.status).toBe(503);
    expect(hung.body.outcome).toBe("unavailable");
    expect(hung.setCookies).toEqual([]);
    // It waited for the timeout (how much longer it took is a figure, printed above, not a test).
    expect(ms).toBeGreaterThanOrEqual(HASTY_BACKEND_TIMEOUT_MS);

    stack.backend.setOptions({ failMode: "none" });
    // Within the retry window others are told "unavailable" without a backend call; after it, the next one leads.
    expect((await askGate(hasty, session.cookie)).body.outcome).toBe("unavailable");
    await watch.shortLivedKeysExpired(UNAVAILABLE_MARKER_TTL_MS);
    const recovered = await askGate(hasty, session.cookie);
    expect(recovered.body.outcome, "the timed-out leader freed the lock").toBe("refreshed");
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 2, refreshes: 1, reuseDetections: 0 });
  });

  it("a misconfigured worker fails with CONFIG_INVALID, not with a crash", async () => {
    const reply = await askGate(misconfigured, null);
    expect(reply.status).toBe(500);
    expect(reply.body.code).toBe("CONFIG_INVALID");
  });
});
