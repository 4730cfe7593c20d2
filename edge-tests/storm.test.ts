/**
 * The refresh storm on the edge runtime: one expired session hits several workerd isolates at once, all
 * sharing one real Redis through the Upstash-REST bridge, in front of the reference backend (rotating
 * refresh tokens, reuse detection, injected latency). The backend's own counters are the judge.
 */
import { createServer, type AddressInfo, type Socket } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { STORE_TIMEOUT_MS } from "edge-session-refresh/stores";
import { UNAVAILABLE_MARKER_TTL_MS, watchKeyExpiry } from "../test-support/key-expiry";
import { freePort } from "../test-support/ports";
import {
  askGate,
  expiredSession,
  sessionAfter,
  startIsolates,
  startStack,
  tally,
  type Deployment,
  type EdgeIsolate,
  type GateReply,
  type Stack,
} from "./harness";

const SECRET = "edge-storm-secret-0123456789abcdef";
/** Two workerd processes with two named workers each: four isolates, across and within processes. */
const PROCESSES = 2;
const WORKERS_PER_PROCESS = 2;
const ISOLATES = PROCESSES * WORKERS_PER_PROCESS;
const REQUESTS = 100;
/** Long enough that the whole storm arrives while the leader's refresh is still at the backend. */
const REFRESH_LATENCY_MS = 150;
/** The storm's lock-store budget: a few claims and polls per isolate, not one per request. */
const MAX_STORE_COMMANDS = 100;
/** Without a shared lock, long enough that every request of an isolate arrives during its one flight. */
const STORELESS_REFRESH_LATENCY_MS = 500;
const NEW_SESSION_OUTCOMES = ["refreshed", "joined", "replayed"];

let stack: Stack;
let shared: Deployment;
let storeless: Deployment;
let storelessNonRotating: Deployment;
let hanging: Deployment;
/** A lock store that accepts connections and never answers; its sockets are destroyed in afterAll. */
const heldSockets = new Set<Socket>();
const hangingStore = createServer((socket) => {
  heldSockets.add(socket);
  socket.on("close", () => heldSockets.delete(socket));
});
const HANGING_REQUESTS = 40;

beforeAll(async () => {
  stack = await startStack({ refreshLatencyMs: REFRESH_LATENCY_MS });
  const bindings = { NEXTAUTH_SECRET: SECRET, BACKEND_URL: stack.backend.url };
  shared = await startIsolates({
    processes: PROCESSES,
    workersPerProcess: WORKERS_PER_PROCESS,
    bindings: { ...bindings, ...stack.storeBindings },
    namePrefix: "shared",
  });
  // The lock store configured but unreachable: a port nothing listens on.
  storeless = await startIsolates({
    processes: PROCESSES,
    workersPerProcess: WORKERS_PER_PROCESS,
    bindings: {
      ...bindings,
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${await freePort()}`,
      UPSTASH_REDIS_REST_TOKEN: "unused",
    },
    namePrefix: "storeless",
  });
  // The same, for an operator who declared the backend non-rotating: an unlocked refresh is then safe.
  storelessNonRotating = await startIsolates({
    processes: 1,
    workersPerProcess: ISOLATES,
    bindings: {
      ...bindings,
      BACKEND_REFRESH_TOKEN_ROTATION: "none",
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${await freePort()}`,
      UPSTASH_REDIS_REST_TOKEN: "unused",
    },
    namePrefix: "storeless-nonrotating",
  });
  await new Promise<void>((resolve) => hangingStore.listen(0, "127.0.0.1", resolve));
  hanging = await startIsolates({
    processes: 1,
    workersPerProcess: 2,
    // A short backend timeout keeps the wait limit (timeout + lock margin + 1 s) short for this test.
    bindings: {
      ...bindings,
      BACKEND_TIMEOUT_MS: "500",
      UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${(hangingStore.address() as AddressInfo).port}`,
      UPSTASH_REDIS_REST_TOKEN: "unused",
    },
    namePrefix: "hanging",
  });
});

afterAll(async () => {
  await shared?.dispose();
  await storeless?.dispose();
  await storelessNonRotating?.dispose();
  await hanging?.dispose();
  for (const socket of heldSockets) socket.destroy();
  await new Promise((resolve) => hangingStore.close(resolve));
  await stack?.close();
});

beforeEach(() => {
  stack.backend.setOptions({ failMode: "none", refreshLatencyMs: REFRESH_LATENCY_MS, rotation: "rotate" });
  stack.backend.resetStats();
  stack.bridge.resetStats();
});

/** REQUESTS concurrent requests, round-robin over the isolates; `cookieFor` picks each request's session. */
async function storm(
  isolates: readonly EdgeIsolate[],
  cookieFor: (index: number) => string,
): Promise<{ replies: GateReply[]; ms: number }> {
  const started = performance.now();
  const replies = await Promise.all(
    Array.from({ length: REQUESTS }, (_, i) => askGate(isolates[i % isolates.length]!, cookieFor(i))),
  );
  return { replies, ms: Math.round(performance.now() - started) };
}

function outcomes(replies: readonly GateReply[]): Record<string, number> {
  return tally(replies.map((reply) => reply.body.outcome ?? `error:${reply.body.code ?? reply.body.error}`));
}

describe("the isolates", () => {
  it(`are ${ISOLATES} separate isolates that share no memory`, async () => {
    const { isolates } = shared;
    expect(isolates).toHaveLength(ISOLATES);
    // Isolate k is probed k+1 times; each counts only its own probes, so nothing is shared between them.
    const probes: Array<Array<{ isolate: string; hits: number }>> = [];
    for (const [k, isolate] of isolates.entries()) {
      const mine = [];
      for (let hit = 0; hit <= k; hit++)
        mine.push((await (await isolate.fetch("/isolate")).json()) as { isolate: string; hits: number });
      probes.push(mine);
    }
    expect(probes.map((mine) => mine.at(-1)!.hits)).toEqual(isolates.map((_, k) => k + 1));
    // Each worker keeps its one isolate, and no two workers share one.
    expect(probes.map((mine) => new Set(mine.map((probe) => probe.isolate)).size)).toEqual(isolates.map(() => 1));
    expect(new Set(probes.map((mine) => mine[0]!.isolate)).size).toBe(ISOLATES);
  });
});

describe(`a storm of ${REQUESTS} requests with one expired session over ${ISOLATES} isolates and one Redis`, () => {
  it("sends exactly one refresh to the backend and gives every request the same new refresh token", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    stack.backend.resetStats();

    const { replies, ms } = await storm(shared.isolates, () => session.cookie);
    const counts = outcomes(replies);
    const commands = stack.bridge.stats();
    console.log(
      `[edge-tests] storm: ${REQUESTS} requests over ${ISOLATES} isolates in ${ms} ms; outcomes ${JSON.stringify(counts)}; ` +
        `lock-store commands ${commands.commands} ${JSON.stringify(commands.byCommand)} in ${commands.requests} HTTP requests`,
    );

    const backend = stack.backend.stats();
    expect(backend, "exactly one refresh reached the backend").toMatchObject({
      refreshes: 1,
      refreshAttempts: 1,
      reuseDetections: 0,
      familiesRevoked: 0,
    });
    expect(
      replies
        .filter((reply) => reply.status !== 200 || !NEW_SESSION_OUTCOMES.includes(reply.body.outcome))
        .map((reply) => `${reply.status} ${reply.body.outcome}`),
      JSON.stringify(counts),
    ).toEqual([]);
    expect(counts.refreshed, JSON.stringify(counts)).toBe(1);
    // Every isolate answered, each with its own id, and no two workers shared one.
    const isolateOf = new Map(replies.map((reply) => [reply.isolateName, reply.body.isolate] as const));
    expect(isolateOf.size).toBe(ISOLATES);
    expect(new Set(isolateOf.values()).size).toBe(ISOLATES);

    const newRefreshToken = replies.find((reply) => reply.body.outcome === "refreshed")!.body.refreshToken;
    expect(newRefreshToken).toEqual(expect.any(String));
    expect(newRefreshToken).not.toBe(session.tokens.refreshToken);
    for (const reply of replies) {
      expect(reply.body.refreshToken).toBe(newRefreshToken);
      expect(reply.serverTiming).toMatch(new RegExp(`^session;desc="${reply.body.outcome}";dur=\\d+(\\.\\d+)?$`));
      // What the browser keeps: read back with next-auth's own decode.
      const cookie = await sessionAfter(reply.setCookies, SECRET);
      expect(cookie, `${reply.isolateName} wrote a session next-auth can read`).toMatchObject({
        refreshToken: newRefreshToken,
        sub: "user-1",
        email: "demo@example.com",
      });
      expect(cookie!.accessTokenExpires as number).toBeGreaterThan(Date.now());
    }
    expect(commands.commands).toBeLessThan(MAX_STORE_COMMANDS);
  });

  it("late tabs still holding the old cookie take the stored successor: no backend call at all", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    const first = await askGate(shared.isolates[0]!, session.cookie);
    expect(first.body.outcome).toBe("refreshed");
    stack.backend.resetStats();
    stack.bridge.resetStats();

    const { replies } = await storm(shared.isolates, () => session.cookie);
    const counts = outcomes(replies);
    console.log(
      `[edge-tests] late tabs: outcomes ${JSON.stringify(counts)}; lock-store commands ${stack.bridge.stats().commands}`,
    );
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 0, reuseDetections: 0 });
    // Riders on an isolate's flight get the flight's own outcome: a replay is a replay for all of them.
    expect(counts).toEqual({ replayed: REQUESTS });
    for (const reply of replies) {
      expect(reply.body.refreshToken).toBe(first.body.refreshToken);
      expect(await sessionAfter(reply.setCookies, SECRET)).toMatchObject({ refreshToken: first.body.refreshToken });
    }
    // One claim per isolate flight: the successor is found at once.
    expect(stack.bridge.stats().commands).toBeLessThanOrEqual(ISOLATES * 2);
  });

  it("when the backend refuses the refresh token, every request is rejected and its cookie cleared, after one attempt", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    // Another device already rotated this refresh token: presenting it again is a reuse.
    const elsewhere = await fetch(`${stack.backend.url}/api/auth/refresh-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ refreshToken: session.tokens.refreshToken }),
    });
    expect(elsewhere.status).toBe(200);
    stack.backend.resetStats();

    const { replies, ms } = await storm(shared.isolates, () => session.cookie);
    const counts = outcomes(replies);
    console.log(
      `[edge-tests] refused: ${REQUESTS} requests in ${ms} ms; outcomes ${JSON.stringify(counts)}; lock-store commands ${stack.bridge.stats().commands}`,
    );

    // One attempt: the leader's. Its reuse is detected once; everyone else read the stored refusal.
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 1, refreshes: 0, reuseDetections: 1 });
    expect(counts).toEqual({ rejected: REQUESTS });
    for (const reply of replies) {
      expect(reply.status).toBe(401);
      expect(reply.setCookies.map((c) => [c.name, c.value, c.expired])).toEqual([
        ["next-auth.session-token", "", true],
      ]);
      expect(reply.serverTiming).toMatch(/^session;desc="rejected";dur=/);
    }
    expect(stack.bridge.stats().commands).toBeLessThan(MAX_STORE_COMMANDS);
  });

  it("when the backend is down, every request is unavailable, the session is kept, and it refreshes once the backend is back", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    stack.backend.resetStats();
    const watch = await watchKeyExpiry(stack.redis.url);
    onTestFinished(() => watch.close());
    stack.backend.setOptions({ failMode: "down" });

    const { replies, ms } = await storm(shared.isolates, () => session.cookie);
    const counts = outcomes(replies);
    const down = stack.backend.stats();
    console.log(
      `[edge-tests] backend down: ${REQUESTS} requests in ${ms} ms; outcomes ${JSON.stringify(counts)}; ` +
        `backend attempts ${down.refreshAttempts}; lock-store commands ${stack.bridge.stats().commands}`,
    );

    expect(counts).toEqual({ unavailable: REQUESTS });
    for (const reply of replies) {
      expect(reply.status).toBe(503);
      expect(reply.body.retryAfterSeconds).toBeGreaterThan(0);
      // Nobody is signed out by an outage: not a single cookie is written, let alone cleared.
      expect(reply.setCookies).toEqual([]);
    }
    // The first failure is stored as "unavailable" for the retry window: everyone else backs off.
    expect(down.refreshAttempts).toBe(1);
    expect(down).toMatchObject({ refreshes: 0, reuseDetections: 0 });

    stack.backend.setOptions({ failMode: "none" });
    await watch.shortLivedKeysExpired(UNAVAILABLE_MARKER_TTL_MS);
    const recovered = await askGate(shared.isolates[1]!, session.cookie);
    expect(recovered.body.outcome).toBe("refreshed");
    expect(await sessionAfter(recovered.setCookies, SECRET)).toMatchObject({
      refreshToken: recovered.body.refreshToken,
    });
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0 });
  });
});

describe(`with the lock store unreachable, over ${ISOLATES} isolates`, () => {
  it("a rotating backend is never called without the lock: every request unavailable, every session kept", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    stack.backend.resetStats();
    const { replies, ms } = await storm(storeless.isolates, () => session.cookie);
    const counts = outcomes(replies);
    console.log(
      `[edge-tests] store unreachable, rotating backend: ${REQUESTS} requests in ${ms} ms; outcomes ${JSON.stringify(counts)}`,
    );
    expect(counts).toEqual({ unavailable: REQUESTS });
    for (const reply of replies) {
      expect(reply.status).toBe(503);
      expect(reply.setCookies).toEqual([]);
    }
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 0, reuseDetections: 0 });
    // Each isolate logged the store failure by kind (workerd's log lines arrive asynchronously).
    await expect
      .poll(() => storeless.logs.filter((line) => line.message.includes('"code":"STORE_UNREACHABLE"')).length, {
        timeout: 2_000,
      })
      .toBeGreaterThanOrEqual(ISOLATES);
  });

  it("a backend declared non-rotating: each isolate refreshes once on its own, nobody signed out", async () => {
    stack.backend.setOptions({ rotation: "none", refreshLatencyMs: STORELESS_REFRESH_LATENCY_MS });
    const session = await expiredSession(stack.backend, SECRET);
    stack.backend.resetStats();
    const { replies, ms } = await storm(storelessNonRotating.isolates, () => session.cookie);
    const counts = outcomes(replies);
    console.log(
      `[edge-tests] store unreachable, non-rotating backend: ${REQUESTS} requests in ${ms} ms; outcomes ${JSON.stringify(counts)}; backend ${JSON.stringify(stack.backend.stats())}`,
    );
    expect(counts).toEqual({ refreshed: ISOLATES, joined: REQUESTS - ISOLATES });
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: ISOLATES, reuseDetections: 0, familiesRevoked: 0 });
    for (const reply of replies) expect(reply.body.refreshToken).toBe(session.tokens.refreshToken);
  });

  it("a lock store that never answers: no isolate refreshes blind, every request is unavailable with its session kept", async () => {
    const sessions = await Promise.all(hanging.isolates.map(() => expiredSession(stack.backend, SECRET)));
    stack.backend.resetStats();
    const started = performance.now();
    const replies = await Promise.all(
      Array.from({ length: HANGING_REQUESTS }, (_, i) =>
        askGate(hanging.isolates[i % hanging.isolates.length]!, sessions[i % sessions.length]!.cookie),
      ),
    );
    const ms = Math.round(performance.now() - started);
    const counts = outcomes(replies);
    console.log(
      `[edge-tests] store hanging: ${HANGING_REQUESTS} requests over ${hanging.isolates.length} isolates in ${ms} ms; outcomes ${JSON.stringify(counts)}`,
    );

    // A timeout proves nothing about other instances: one may be refreshing this very token while this
    // isolate's store calls hang. Refreshing without the lock could replay its token and get the family
    // revoked, so the coordinator waits until its limit and answers unavailable, which keeps the session.
    expect(counts).toEqual({ unavailable: HANGING_REQUESTS });
    expect(stack.backend.stats()).toMatchObject({ refreshAttempts: 0, reuseDetections: 0 });
    for (const reply of replies) {
      expect(reply.status).toBe(503);
      expect(reply.setCookies).toEqual([]);
    }
    // At least one per-command timeout fired in workerd (AbortSignal.timeout on fetch).
    expect(ms).toBeGreaterThanOrEqual(STORE_TIMEOUT_MS);
  });
});

// Vercel's Upstash integration injects five variables for one database (KV_REST_API_URL, KV_REST_API_TOKEN,
// KV_REST_API_READ_ONLY_TOKEN, KV_URL, REDIS_URL) and no UPSTASH_*: on the edge that must select the Upstash
// store with no further setting, never "more than one lock store" (issue 23). Here the REST pair names the
// bridge and both TCP URLs its Redis, as they name one database on Vercel.
describe("with exactly the variables Vercel's Upstash integration injects", () => {
  let vercel: Deployment;
  beforeAll(async () => {
    vercel = await startIsolates({
      processes: 1,
      workersPerProcess: 2,
      bindings: {
        NEXTAUTH_SECRET: SECRET,
        BACKEND_URL: stack.backend.url,
        KV_REST_API_URL: stack.storeBindings.UPSTASH_REDIS_REST_URL!,
        KV_REST_API_TOKEN: stack.storeBindings.UPSTASH_REDIS_REST_TOKEN!,
        KV_REST_API_READ_ONLY_TOKEN: "read-only-token-the-store-never-sends",
        KV_URL: stack.redis.url,
        REDIS_URL: stack.redis.url,
      },
      namePrefix: "vercel",
    });
  });
  afterAll(async () => {
    await vercel?.dispose();
  });

  it("one expired session over 2 isolates: one refresh, through the shared store, everyone served", async () => {
    const session = await expiredSession(stack.backend, SECRET);
    stack.backend.resetStats();
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => askGate(vercel.isolates[i % vercel.isolates.length]!, session.cookie)),
    );
    const counts = outcomes(replies);
    console.log(`[edge-tests] Vercel integration variables: outcomes ${JSON.stringify(counts)}`);
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, refreshAttempts: 1, reuseDetections: 0 });
    expect(replies.filter((reply) => reply.status !== 200).map((reply) => reply.body)).toEqual([]);
    expect(counts.refreshed).toBe(1);
    // The lock went through the bridge: the REST variables were used, not a per-isolate memory store.
    expect(stack.bridge.stats().commands).toBeGreaterThan(0);
  });
});
