/**
 * Before anything is measured, every instance serves each path it will serve in the storms, on every
 * session path (sign-in, valid, refresh): `next start` loads route code and the JIT warms up on first use,
 * which would otherwise land in the first scenario's numbers.
 */
import { send, type SessionSource } from "edge-session-refresh-loadtest";
import { DEMO_JUDGING, PROTECTED_PATHS } from "./runner";

const VALID_REQUESTS_PER_PATH = 10;
const WARMUP_TIMEOUT_MS = 30_000;

export async function warmUp(urls: readonly string[], sessions: SessionSource, signal: AbortSignal): Promise<void> {
  await Promise.all(
    urls.map(async (baseUrl) => {
      let jar = await sessions.signIn(0, baseUrl, signal);
      const options = {
        originMs: performance.now(),
        timeoutMs: WARMUP_TIMEOUT_MS,
        signal,
        headers: {},
        judging: DEMO_JUDGING,
      };
      const request = async (path: string) => {
        const sent = await send(
          { account: 0, tab: 0, target: 0, phase: "storm", expiry: 0, baseUrl, path, jar },
          options,
        );
        jar = sent.jar;
        return sent.sample;
      };
      for (const path of PROTECTED_PATHS) {
        jar = await sessions.due(jar, baseUrl, signal);
        const refreshed = await request(path);
        if (!refreshed.ok)
          throw new Error(`warm-up: ${baseUrl}${path} with an expired session failed: ${refreshed.failure}`);
        for (let i = 0; i < VALID_REQUESTS_PER_PATH; i++) {
          const sample = await request(path);
          if (!sample.ok) throw new Error(`warm-up: ${baseUrl}${path} failed: ${sample.failure}`);
        }
      }
    }),
  );
}
