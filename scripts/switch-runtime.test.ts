import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { currentRuntime, switchRuntime } from "./switch-runtime";

const MIDDLEWARE = resolve(import.meta.dirname, "..", "src", "middleware.ts");
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "switch-runtime-"));
  mkdirSync(join(dir, "src"));
  copyFileSync(MIDDLEWARE, join(dir, "src", "middleware.ts"));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("switch-runtime", () => {
  it("turns this project's src/middleware.ts into src/proxy.ts exporting proxy, and back to the same bytes", () => {
    const original = readFileSync(MIDDLEWARE, "utf8");
    expect(currentRuntime(dir)).toBe("edge");

    expect(switchRuntime(dir, "node")).toMatchObject({ from: "edge", to: "node" });
    expect(existsSync(join(dir, "src", "middleware.ts"))).toBe(false);
    const proxy = readFileSync(join(dir, "src", "proxy.ts"), "utf8");
    expect(proxy).toMatch(/^export const proxy = /m);
    expect(proxy).not.toMatch(/export (const|function) middleware\b/);
    expect(proxy).toMatch(/^export const config = /m);
    expect(currentRuntime(dir)).toBe("node");

    expect(switchRuntime(dir, "node")).toMatchObject({ from: "node", to: "node" });
    switchRuntime(dir, "edge");
    expect(existsSync(join(dir, "src", "proxy.ts"))).toBe(false);
    expect(readFileSync(join(dir, "src", "middleware.ts"), "utf8")).toBe(original);
  });

  it("renames a function export too", () => {
    writeFileSync(
      join(dir, "src", "middleware.ts"),
      "export async function middleware() {}\nexport const config = {};\n",
    );
    switchRuntime(dir, "node");
    expect(readFileSync(join(dir, "src", "proxy.ts"), "utf8")).toBe(
      "export async function proxy() {}\nexport const config = {};\n",
    );
  });

  it("refuses both files at once (Next refuses to build that) and a file without the export", () => {
    writeFileSync(join(dir, "src", "proxy.ts"), "export const proxy = () => undefined;\n");
    expect(() => switchRuntime(dir, "node")).toThrow(/both/);
    rmSync(join(dir, "src", "proxy.ts"));
    writeFileSync(join(dir, "src", "middleware.ts"), "export default function handler() {}\n");
    expect(() => switchRuntime(dir, "node")).toThrow(/no `export/);
    expect(existsSync(join(dir, "src", "middleware.ts"))).toBe(true);
  });
});
