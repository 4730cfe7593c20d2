/**
 * The teardown of a file that runs a stack (test-support/stack.ts), and perhaps a browser: a failed test
 * prints every instance's output, the only record of what the app logged while it failed; after the file
 * the browser closes, then the stack stops. Call it at the level of the `beforeAll` that starts them.
 */
import { afterAll, afterEach } from "vitest";
import type { Stack } from "./stack";

export interface StackTeardown {
  /** The stack, once started: a getter, since it is assigned in a `beforeAll` (and may never be). */
  readonly stack: () => Stack | undefined;
  /** The browser (or a browser context of its own) to close before the stack stops. */
  readonly browser?: () => { close(): Promise<void> } | undefined;
  /** Runs first on a failed test: files whose later phases build on earlier ones mark themselves failed. */
  readonly onFailure?: () => void;
}

export function tearDownStack({ stack, browser, onFailure }: StackTeardown): void {
  afterEach(({ task }) => {
    if (task.result?.state !== "fail") return;
    onFailure?.();
    const current = stack();
    if (current) console.error(current.output());
  });
  afterAll(async () => {
    await browser?.()?.close();
    await stack()?.stop();
  });
}
