/**
 * node-redis is an optional peer of edge-session-refresh: an app on Upstash never installs it, and a Node app
 * that sets REDIS_URL or REDIS_CLUSTER_NODES without it gets CONFIG_INVALID naming the package to install,
 * not a module-not-found crash. Shown on the built package (dist/, as `npm pack` ships it) in a folder of
 * its own where `redis` really is missing: the package's other dependencies are linked, `redis` is not.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const PACKAGE = join(ROOT, "packages", "edge-session-refresh");
let app: string;

beforeAll(() => {
  execFileSync(process.execPath, [join(ROOT, "scripts", "build-lib.mjs")], { stdio: "ignore" });
  app = mkdtempSync(join(tmpdir(), "esr-without-redis-"));
  const installed = join(app, "node_modules", "edge-session-refresh");
  mkdirSync(installed, { recursive: true });
  cpSync(join(PACKAGE, "package.json"), join(installed, "package.json"));
  cpSync(join(PACKAGE, "dist"), join(installed, "dist"), { recursive: true });
  for (const dependency of ["jose", "@upstash/redis", "@upstash/ratelimit"]) {
    mkdirSync(join(app, "node_modules", dependency, ".."), { recursive: true });
    symlinkSync(join(ROOT, "node_modules", dependency), join(app, "node_modules", dependency), "dir");
  }
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "app-without-redis", private: true, type: "module" }),
  );
});
afterAll(() => rmSync(app, { recursive: true, force: true }));

/** Runs an ES module in the app folder and returns what it printed as JSON. */
function run(source: string, env: Record<string, string> = {}): unknown {
  writeFileSync(join(app, "probe.mjs"), source);
  const output = execFileSync(process.execPath, ["probe.mjs"], {
    cwd: app,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", ...env },
    encoding: "utf8",
  });
  return JSON.parse(output.trim().split("\n").at(-1)!);
}

describe("redis is an optional peer", () => {
  it("the folder really has no redis, and an edge-only app's entry points load without it", () => {
    expect(
      run(`
        let redis = "found";
        try { await import("redis"); } catch (error) { redis = error.code; }
        const root = await import("edge-session-refresh");
        const stores = await import("edge-session-refresh/stores");
        const settings = root.parseSettings({ UPSTASH_REDIS_REST_URL: "https://u.example", UPSTASH_REDIS_REST_TOKEN: "t" });
        console.log(JSON.stringify({ redis, store: settings.store.kind, contract: typeof stores.lockStoreContract }));
      `),
    ).toEqual({ redis: "ERR_MODULE_NOT_FOUND", store: "upstash", contract: "function" });
  });

  it.each([
    ["REDIS_URL", { REDIS_URL: "redis://127.0.0.1:6379" }],
    ["REDIS_CLUSTER_NODES", { REDIS_CLUSTER_NODES: "127.0.0.1:7000" }],
  ])(
    "%s on the Node runtime without redis: CONFIG_INVALID naming the package, from the store and the sign-in limits",
    (setting, storeEnv) => {
      const result = run(
        `
        import { createSessionRuntime, parseSettings } from "edge-session-refresh";
        // The Next adapter's own module (dist/next/parts), as the Node route handlers and proxy.ts load it.
        const { nodeTcpRedis } = await import("./node_modules/edge-session-refresh/dist/next/parts/node-stores.js");
        const settings = parseSettings(${JSON.stringify(storeEnv)});
        const tcpRedis = nodeTcpRedis();
        const runtime = createSessionRuntime(settings, { tcpRedis, announceStore: false, onEvent: () => {} });
        const failure = async (work) => { try { await work; return { code: "none" }; } catch (error) { return { code: error.code, message: error.message }; } };
        const store = await failure(runtime.store.ping());
        const limits = await failure(tcpRedis.scripts(settings.store).eval("return 1", [], []));
        console.log(JSON.stringify({ store, limits }));
      `,
        { NEXT_RUNTIME: "nodejs" },
      ) as Record<"store" | "limits", { code: string; message: string }>;
      for (const failure of [result.store, result.limits]) {
        expect(failure.code).toBe("CONFIG_INVALID");
        expect(failure.message).toContain(setting);
        expect(failure.message).toContain("npm install redis");
      }
    },
  );
});
