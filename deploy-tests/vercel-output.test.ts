/**
 * What Vercel would deploy, read from the Build Output API tree `npm run vercel:build` writes to
 * .vercel/output: the session middleware is one edge function whose routes cover exactly the paths it must
 * guard and stays within the bundle budget; pages and route handlers are Node functions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { BUDGET_GZIP_BYTES } from "../test-support/middleware-bundle";
import { LOGIN_PATH, PROTECTED_APIS, PROTECTED_PAGES } from "@/app-config";

const OUTPUT = resolve(import.meta.dirname, "..", ".vercel", "output");
const FUNCTIONS = join(OUTPUT, "functions");

interface Route {
  readonly src?: string;
  readonly middlewarePath?: string;
}
interface FunctionConfig {
  readonly runtime: string;
  readonly entrypoint?: string;
  readonly handler?: string;
}

let routes: Route[];
/** Every function by its route path ("dashboard", "api/auth/[...nextauth]", "middleware"), symlinks followed. */
let functions: Map<string, FunctionConfig>;

beforeAll(() => {
  if (!existsSync(join(OUTPUT, "config.json")))
    throw new Error(`${OUTPUT}/config.json is missing: run \`npm run vercel:build\` first`);
  routes = (JSON.parse(readFileSync(join(OUTPUT, "config.json"), "utf8")) as { routes: Route[] }).routes;
  functions = new Map();
  collectFunctions(FUNCTIONS);
});

function collectFunctions(dir: string): void {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (!statSync(path).isDirectory()) continue;
    if (entry.endsWith(".func")) {
      const name = relative(FUNCTIONS, path).slice(0, -".func".length);
      functions.set(name, JSON.parse(readFileSync(join(path, ".vc-config.json"), "utf8")) as FunctionConfig);
    } else {
      collectFunctions(path);
    }
  }
}

function middlewareRoutes(): RegExp[] {
  return routes
    .filter((route) => route.middlewarePath === "middleware" && route.src)
    .map((route) => new RegExp(route.src!));
}

function runsMiddleware(path: string): boolean {
  return middlewareRoutes().some((pattern) => pattern.test(path));
}

describe("vercel build output (.vercel/output)", () => {
  it("has exactly one middleware, on the edge runtime", () => {
    const edge = [...functions].filter(([, config]) => config.runtime === "edge").map(([name]) => name);
    expect(edge).toEqual(["middleware"]);
    const middleware = functions.get("middleware")!;
    expect(middleware.entrypoint).toBeDefined();
    expect(existsSync(join(FUNCTIONS, "middleware.func", middleware.entrypoint!))).toBe(true);
    // Every route that runs a middleware runs this one.
    const named = routes.filter((route) => route.middlewarePath !== undefined).map((route) => route.middlewarePath);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set(["middleware"]));
  });

  it("runs the middleware on protected pages and APIs and on next-auth's session endpoint", () => {
    expect(middlewareRoutes().length).toBeGreaterThan(0);
    const guarded = [...PROTECTED_PAGES, ...PROTECTED_APIS].flatMap((path) => [path, `${path}/nested`]);
    for (const path of [...guarded, "/", "/api/auth/session"]) expect(runsMiddleware(path), path).toBe(true);
  });

  it("does not run it on the login page (the canonical matcher leaves it out), next-auth's other endpoints or static files", () => {
    for (const path of [
      LOGIN_PATH,
      "/api/auth/callback/credentials",
      "/api/auth/signin",
      "/api/auth/csrf",
      "/api/auth/providers",
      "/_next/static/chunks/app.js",
      "/favicon.ico",
    ]) {
      expect(runsMiddleware(path), path).toBe(false);
    }
  });

  it("keeps the middleware's gzipped bundle within the budget `npm run size` uses", () => {
    const dir = join(FUNCTIONS, "middleware.func");
    // What runs: the code, not the source maps or the function's own config.
    const files = readdirSync(dir).filter(
      (file) => !file.endsWith(".map") && file !== ".vc-config.json" && statSync(join(dir, file)).isFile(),
    );
    expect(files).toContain(functions.get("middleware")!.entrypoint);
    const bundle = Buffer.concat(files.sort().map((file) => readFileSync(join(dir, file))));
    const gzipBytes = gzipSync(bundle, { level: 9 }).length;
    console.info(
      `[vercel] middleware.func: ${files.join(", ")}: ${(gzipBytes / 1024).toFixed(1)} KB gzipped (${(bundle.length / 1024).toFixed(1)} KB raw), budget ${BUDGET_GZIP_BYTES / 1024} KB`,
    );
    expect(gzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  it("serves pages and route handlers from Node functions", () => {
    const expected = [...PROTECTED_PAGES, ...PROTECTED_APIS, "/api/auth/[...nextauth]"].map((path) => path.slice(1));
    for (const name of expected) {
      // A prefix served by a catch-all route (/api/backend → api/backend/[...path]) counts too.
      const served =
        functions.get(name) ?? [...functions].find(([candidate]) => candidate.startsWith(`${name}/[`))?.[1];
      expect(served?.runtime, name).toMatch(/^nodejs\d+(\.x)?$/);
    }
  });
});
