/**
 * `npx edge-session-refresh-loadtest` as a user gets it: the packed tarball installed into an empty folder
 * (no dependencies, so offline), its bin run against apps over HTTP. Against the demo app (on the package,
 * 2 instances, 3 accounts from a CSV) it must hold, and its verdict must agree with the backend's own
 * counts; against an app on next-auth's 2021 recipe (fixtures/recipe-2021) it must see the sign-outs; bad
 * usage exits 2 naming the option.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackendUser } from "../dev/backend/server";
import { ensureFixtureBuilt, FIXTURE_BUILD_TIMEOUT_MS, npmEnv } from "../test-support/fixture-app";
import { ensureAppBuilt, ROOT, startNextInstance, type NextInstance } from "../test-support/next-app";
import { startServices, type Services } from "../test-support/services";
import { startStack, type Stack } from "../test-support/stack";

const ACCOUNTS: BackendUser[] = [1, 2, 3].map((n) => ({
  email: `load-${n}@example.test`,
  password: `pass, "word" ${n}`,
  name: `Load ${n}`,
}));
const SIGN_OUT_FLAG = "--i-understand-this-signs-out-test-accounts";

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Summary {
  pass: boolean;
  accounts: number;
  waves: number;
  requests: number;
  served: number;
  signedOut: number;
  signedOutPerExpiry: number[];
  refreshedPerExpiry: Array<Array<number | null>> | null;
  backend: { delta: Record<string, number> } | null;
  sentence: string;
}

let work: string;
let bin: string;

/** CSV with RFC 4180 quoting: the passwords hold a comma and quotes. */
function accountsCsv(): string {
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  const path = join(work, `accounts-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(
    path,
    [
      "name,identifier,password",
      ...ACCOUNTS.map((account) => `${quote(account.name)},${account.email},${quote(account.password)}`),
    ].join("\r\n"),
  );
  return path;
}

function runBin(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // Only what a user's shell would have: no workspace, no vitest settings.
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: work,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NODE_ENV: "production", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function readSummary(path: string): Summary {
  return JSON.parse(readFileSync(path, "utf8")) as Summary;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "esr-loadtest-cli-"));
  const packDir = join(work, "pack");
  mkdirSync(packDir);
  // The package's own build (what its prepack runs), then the pack without scripts, so stdout is only the JSON.
  await promisify(execFile)("npm", ["run", "build", "-w", "edge-session-refresh-loadtest"], {
    cwd: ROOT,
    env: npmEnv(),
  });
  const { stdout } = await promisify(execFile)(
    "npm",
    ["pack", "-w", "edge-session-refresh-loadtest", "--ignore-scripts", "--json", "--pack-destination", packDir],
    {
      cwd: ROOT,
      env: npmEnv(),
    },
  );
  const [report] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  expect(report!.files.map((file) => file.path).sort()).toEqual(
    expect.arrayContaining(["LICENSE", "README.md", "dist/bin.js", "dist/index.js", "package.json"]),
  );
  expect(report!.files.some((file) => file.path.startsWith("src/"))).toBe(false);
  const install = join(work, "app");
  mkdirSync(install);
  writeFileSync(join(install, "package.json"), '{ "name": "empty", "private": true }\n');
  // No dependencies: installing the tarball needs no registry.
  await promisify(execFile)(
    "npm",
    ["install", "--offline", "--no-audit", "--no-fund", join(packDir, report!.filename)],
    { cwd: install, env: npmEnv() },
  );
  const installed = JSON.parse(readFileSync(join(install, "package-lock.json"), "utf8")) as {
    packages: Record<string, unknown>;
  };
  expect(Object.keys(installed.packages).filter((path) => path !== "")).toEqual([
    "node_modules/edge-session-refresh-loadtest",
  ]);
  bin = join(install, "node_modules", ".bin", "edge-session-refresh-loadtest");
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("bad usage exits 2 and names the problem", () => {
  it.each([
    ["no target", [], {}, "--target"],
    ["no account", ["--target", "http://127.0.0.1:1", "--path", "/dashboard"], {}, "LOADTEST_IDENTIFIER"],
    [
      "a storm against a target not on this machine without the flag",
      ["--target", "https://staging.example.com", "--path", "/dashboard"],
      { LOADTEST_IDENTIFIER: "a", LOADTEST_PASSWORD: "b" },
      SIGN_OUT_FLAG,
    ],
    [
      "plain http to a target not on this machine",
      ["--target", "http://staging.example.com", "--path", "/", SIGN_OUT_FLAG],
      { LOADTEST_IDENTIFIER: "a", LOADTEST_PASSWORD: "b" },
      "--allow-insecure-http",
    ],
    [
      "an unknown threshold metric",
      ["--target", "http://127.0.0.1:1", "--path", "/", "--threshold", "p42<1"],
      {},
      "p42",
    ],
    [
      "a storm option in a browse",
      ["--target", "http://127.0.0.1:1", "--path", "/", "--scenario", "browse", "--waves", "2"],
      {},
      "--waves",
    ],
  ])("%s", async (_name, args, env, named) => {
    const ran = await runBin(args, env);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(named);
  });

  it("no account could sign in: exit 2", async () => {
    const ran = await runBin(["--target", "http://127.0.0.1:1", "--path", "/"], {
      LOADTEST_IDENTIFIER: "a",
      LOADTEST_PASSWORD: "b",
    });
    expect(ran.code).toBe(2);
  });
});

describe("against an app on the package: 2 instances, 3 accounts from a CSV", () => {
  let stack: Stack;

  beforeAll(async () => {
    await ensureAppBuilt();
    stack = await startStack({
      instances: 2,
      // Sessions fall due 2 s after sign-in (refreshDueFrom = expiry − skew), rotating tokens without grace.
      backend: { users: ACCOUNTS, accessTokenTtlSeconds: 6, refreshLatencyMs: 100 },
      env: { SESSION_REFRESH_SKEW_SECONDS: "4" },
    });
  }, 300_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("holds, and its refreshes per account and expiry are the backend's refreshes", async () => {
    const json = join(work, "package-app.json");
    const report = join(work, "package-app.html");
    stack.backend.resetStats();
    const ran = await runBin([
      ...stack.instances.flatMap((instance) => ["--target", instance.url]),
      "--accounts",
      accountsCsv(),
      "--path",
      "/dashboard",
      "--path",
      "/api/profile",
      "--tabs",
      "4",
      "--waves",
      "2",
      "--backend-stats",
      `${stack.backend.url}/__stats`,
      "--json",
      json,
      "--report",
      report,
    ]);
    if (ran.code !== 0) console.error(ran.stdout, ran.stderr, stack.output());
    expect(ran.code).toBe(0);
    const summary = readSummary(json);
    const backend = stack.backend.stats();
    expect(summary).toMatchObject({ pass: true, accounts: 3, waves: 2, signedOut: 0 });
    expect(summary.served).toBe(summary.requests);
    // Every account, every expiry: exactly one `refreshed`, and the backend refreshed exactly as often.
    expect(summary.refreshedPerExpiry).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(backend.refreshes).toBe(6);
    expect(backend.refreshAttempts).toBe(6);
    expect(backend.reuseDetections).toBe(0);
    expect(summary.backend?.delta.refreshes).toBe(6);
    expect(readFileSync(report, "utf8")).toMatch(/^<!doctype html>[\s\S]*<svg[\s\S]*<\/html>\n$/);
  }, 120_000);
  it("browse: staggered sign-ins, steady requests and refresh-ahead calls over both instances hold", async () => {
    const json = join(work, "package-browse.json");
    stack.backend.resetStats();
    const ran = await runBin([
      ...stack.instances.flatMap((instance) => ["--target", instance.url]),
      "--accounts",
      accountsCsv(),
      "--path",
      "/api/profile",
      "--scenario",
      "browse",
      "--tabs",
      "2",
      "--duration",
      "10",
      "--ramp",
      "2",
      "--rate",
      "12",
      "--refresh-ahead",
      "--json",
      json,
    ]);
    if (ran.code !== 0) console.error(ran.stdout, ran.stderr);
    expect(ran.code).toBe(0);
    const summary = readSummary(json);
    const backend = stack.backend.stats();
    expect(summary).toMatchObject({ pass: true, accounts: 3, signedOut: 0 });
    expect(summary.requests).toBeGreaterThan(60);
    // Sessions of 6 s over 10 s: each account refreshed at least once, never twice for one session.
    const refreshed = summary.refreshedPerExpiry!.flat();
    expect(refreshed.every((count) => count !== null && count <= 1)).toBe(true);
    expect(backend.refreshes).toBeGreaterThanOrEqual(3);
    expect(backend.reuseDetections).toBe(0);
  }, 60_000);
});

describe("against an app on next-auth's 2021 recipe (no lock), rotating refresh tokens without grace", () => {
  let services: Services;
  const instances: NextInstance[] = [];

  beforeAll(async () => {
    const build = await ensureFixtureBuilt("recipe-2021");
    services = await startServices({ backend: { users: ACCOUNTS, accessTokenTtlSeconds: 3, refreshLatencyMs: 100 } });
    const env = { NEXTAUTH_SECRET: `recipe-${crypto.randomUUID()}`, BACKEND_URL: services.backend.url };
    for (let i = 0; i < 2; i++)
      instances.push(await startNextInstance({ env, projectDir: build.projectDir, nextBin: build.nextBin }));
  }, FIXTURE_BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await services?.close();
  });

  const recipeArgs = () => [
    ...instances.flatMap((instance) => ["--target", instance.url]),
    "--accounts",
    accountsCsv(),
    "--identifier-field",
    "email",
    "--path",
    "/dashboard",
    "--path",
    "/api/profile",
    "--tabs",
    "4",
  ];

  it("sees its users signed out at their first expiry, as the backend's reuse detections say", async () => {
    const json = join(work, "recipe.json");
    services.backend.resetStats();
    const ran = await runBin([...recipeArgs(), "--waves", "1", "--expiry-wait", "4", "--json", json]);
    expect(ran.code).toBe(1);
    const summary = readSummary(json);
    const backend = services.backend.stats();
    expect(summary.pass).toBe(false);
    expect(summary.accounts).toBe(3);
    // The recipe reports no Server-Timing: refreshes cannot be counted, sign-outs can.
    expect(summary.refreshedPerExpiry).toBeNull();
    expect(backend.reuseDetections).toBeGreaterThan(0);
    expect(summary.signedOut).toBeGreaterThan(0);
    expect(summary.signedOutPerExpiry[0]).toBe(summary.signedOut);
    expect(summary.sentence).toContain(`${summary.signedOut} of 3 accounts`);
    expect(ran.stdout).toContain(summary.sentence);
  }, 120_000);

  it("without --expiry-wait it says the app states no due time: exit 2", async () => {
    const ran = await runBin([...recipeArgs(), "--waves", "1"]);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("--expiry-wait");
  }, 60_000);
});
