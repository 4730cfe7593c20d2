/**
 * The TCP Redis store as a Node service lives with it (issue 16 items 5, 6, 8), on the Node-proxy variant
 * with only REDIS_URL:
 * - the sign-in limits count on the same Redis, so two instances share one count;
 * - the Redis primary dies in the middle of a storm (SIGKILL, with appendonly + appendfsync always, so
 *   what it acknowledged survives) and comes back on the same port;
 * - SIGTERM closes the process's connection, letting a command already sent get its answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureVariantBuilt, ROOT, type AppBuild } from "../test-support/next-app";
import { freePort } from "../test-support/ports";
import { spawnRedisServer, type RedisServerProcess } from "../test-support/redis-server";
import { cookieHeader, storeCookies, type CookieJar } from "../test-support/sign-in";
import { DEMO_EMAIL, freshExpiredSession, sessionSetCookie, startStack, type Stack } from "../test-support/stack";

const BUILD_TIMEOUT_MS = 900_000;
const NO_UPSTASH = { UPSTASH_REDIS_REST_URL: "", UPSTASH_REDIS_REST_TOKEN: "" };
/** Durable: every write is on disk before Redis answers it, so a SIGKILLed primary restarts with it. */
const DURABLE = ["--appendonly", "yes", "--appendfsync", "always"];

let nodeBuild: AppBuild;
const stacks: Stack[] = [];
const servers: RedisServerProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  nodeBuild = await ensureVariantBuilt("node");
}, BUILD_TIMEOUT_MS);
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.stop()));
  await Promise.all(servers.map((server) => server.stop()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
afterEach(({ task }) => {
  if (task.result?.state === "fail") for (const stack of stacks) console.error(stack.output());
});

async function durableRedis(port: number, dir?: string): Promise<{ server: RedisServerProcess; dir: string }> {
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), "esr-redis-"));
  if (dir === undefined) dirs.push(dataDir);
  const server = await spawnRedisServer(port, [...DURABLE, "--dir", dataDir]);
  servers.push(server);
  return { server, dir: dataDir };
}

/** Resolves once `condition` holds, checked on every turn of a short poll (the backend's counters). */
async function until(condition: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("Node runtime, REDIS_URL: sign-in limits on the same Redis", () => {
  it("10 wrong passwords for one account from one address over 2 instances: 5 reach the backend, counted in Redis", async () => {
    const { server } = await durableRedis(await freePort());
    const stack = await startStack({ instances: 2, env: { ...NO_UPSTASH, REDIS_URL: server.url, SIGNIN_CLIENT_IP_HEADER: "x-forwarded-for" }, ...nodeBuild });
    stacks.push(stack);
    stack.backend.resetStats();
    const attempt = async (instance: number, password: string) => {
      const url = stack.instances[instance % 2]!.url;
      const jar: CookieJar = new Map();
      const csrf = await fetch(`${url}/api/auth/csrf`, { headers: { "x-forwarded-for": "198.51.100.7" } });
      storeCookies(jar, csrf);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const response = await fetch(`${url}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookieHeader(jar), "x-forwarded-for": "198.51.100.7" },
        body: new URLSearchParams({ csrfToken, identifier: DEMO_EMAIL, password, json: "true" }),
      });
      const body = (await response.json()) as { url: string };
      return new URL(body.url).searchParams.get("error");
    };
    const errors: (string | null)[] = [];
    for (let i = 0; i < 10; i++) errors.push(await attempt(i, `wrong-${i}`));
    // Per-instance memory would let 5 through on each instance (10); one shared count lets 5 through in all.
    expect(stack.backend.loginRequests()).toHaveLength(5);
    expect(errors.filter((error) => error === "CredentialsSignin")).toHaveLength(5);
    expect(errors.filter((error) => error?.startsWith("TooManyAttempts:"))).toHaveLength(5);
    expect(stack.output()).not.toContain("signin-store-failed");
    // The counters are in this Redis, under the sign-in prefix.
    const keys = await redisCli(server.port, ["--scan", "--pattern", "esr:signin:*"]);
    expect(keys.split("\n").filter(Boolean).length).toBeGreaterThan(0);
  }, 120_000);
});

describe("Node runtime, REDIS_URL: the primary killed in the middle of a storm, and back", () => {
  it("killed while the leader's backend refresh runs: what each request gets, and what happens once it is back", async () => {
    const port = await freePort();
    const first = await durableRedis(port);
    const stack = await startStack({
      instances: 2,
      backend: { refreshLatencyMs: 1_500 },
      env: { ...NO_UPSTASH, REDIS_URL: first.server.url },
      ...nodeBuild,
    });
    stacks.push(stack);
    const session = await freshExpiredSession(stack);
    stack.backend.resetStats();

    const request = async (index: number, cookie: string) => {
      const response = await fetch(`${stack.instances[index % 2]!.url}/api/profile`, { headers: { cookie }, redirect: "manual" });
      const body = await response.text();
      return { instance: index % 2, status: response.status, setCookie: sessionSetCookie(response), body };
    };
    const storm = Array.from({ length: 20 }, (_, index) => request(index, session.header));
    // The leader's backend call has begun (the backend consumes the token first): now the primary dies.
    await until(() => stack.backend.stats().refreshAttempts >= 1, "the leader's backend refresh");
    await first.server.stop();
    const during = await Promise.all(storm);

    // Nobody is signed out: every answer is 200 (the leader's instance, with the successor) or 503 with
    // the session cookie untouched.
    expect(during.filter((r) => r.status !== 200 && r.status !== 503).map((r) => `${r.status} ${r.body.slice(0, 120)}`)).toEqual([]);
    expect(during.filter((r) => r.setCookie?.cleared)).toEqual([]);
    const served = during.filter((r) => r.status === 200);
    expect(served.length).toBeGreaterThan(0);
    for (const r of served) expect(r.body).toContain(DEMO_EMAIL);
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0 });
    expect(stack.output()).toContain("settle-failed");

    // The browser keeps the successor the leader's response set (a 503 sets no cookie).
    const successor = served.find((r) => r.setCookie !== null && !r.setCookie.cleared)!.setCookie!.value;
    const second = await durableRedis(port, first.dir);
    // Back: the browser's next requests carry the successor; served on every instance, no new refresh.
    let back = await Promise.all(Array.from({ length: 10 }, (_, index) => request(index, `next-auth.session-token=${successor}`)));
    const deadline = Date.now() + 30_000;
    while (back.some((r) => r.status === 503) && Date.now() < deadline) back = await Promise.all(Array.from({ length: 10 }, (_, index) => request(index, `next-auth.session-token=${successor}`)));
    expect(back.map((r) => r.status)).toEqual(back.map(() => 200));
    expect(stack.backend.stats()).toMatchObject({ refreshes: 1, reuseDetections: 0, familiesRevoked: 0 });
    await second.server.stop();
  }, 180_000);
});

describe("SIGTERM", () => {
  it("closes the connection of a real Node process, and a command already sent still gets its answer", async () => {
    const { server } = await durableRedis(await freePort());
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "test-support/redis-sigterm-child.ts"), server.url], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
    await until(() => output.includes("connected"), "the child's first PING");
    // The server holds the next command; the child sends it, then gets SIGTERM while it is pending.
    await redisCli(server.port, ["CLIENT", "PAUSE", "1000", "ALL"]);
    child.kill("SIGUSR2"); // the child's cue to send its PING
    await until(() => output.includes("sent"), "the child's pending PING");
    child.kill("SIGTERM");
    // An open socket would keep the process alive: it ends on its own only because SIGTERM closed it.
    expect(await exited).toEqual({ code: 0, signal: null });
    // Closed, not torn down: the pending PING was answered before the socket went.
    expect(output).toContain("sigterm");
    expect(output).toContain("answered PONG");
  }, 60_000);
});

function redisCli(port: number, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const cli = spawn("redis-cli", ["-p", String(port), ...args]);
    let out = "";
    cli.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    cli.once("error", reject);
    cli.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`redis-cli ${args.join(" ")} exited ${code}`))));
  });
}
