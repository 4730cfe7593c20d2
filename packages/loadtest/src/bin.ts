#!/usr/bin/env node
/** `npx edge-session-refresh-loadtest`: see run.ts and README.md. */
import { readFileSync } from "node:fs";
import { main } from "./run";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, version }).then(
  // Exit once stdout is flushed: idle keep-alive connections to the targets must not hold the process.
  (code) => process.stdout.write("", () => process.exit(code)),
  (error: unknown) => {
    console.error("edge-session-refresh-loadtest failed:", error);
    process.exit(1);
  },
);
