/**
 * Before anything is measured, every instance serves each path it will serve in the storms, on every
 * session path (sign-in, valid, refresh): `next start` loads route code and the JIT warms up on first use,
 * which would otherwise land in the first scenario's numbers.
 */
import { PROTECTED_PATHS, send } from "./request";
import type { SessionMaker } from "./sessions";
import type { Account } from "./stack";

const VALID_REQUESTS_PER_PATH = 10;
const WARMUP_TIMEOUT_MS = 30_000;

export async function warmUp(urls: readonly string[], sessions: SessionMaker, account: Account, signal: AbortSignal): Promise<void> {
  await Promise.all(
    urls.map(async (baseUrl) => {
      let jar = await sessions.signIn(account, baseUrl, signal, WARMUP_TIMEOUT_MS);
      const options = { originMs: performance.now(), timeoutMs: WARMUP_TIMEOUT_MS, signal };
      const request = async (path: string) => {
        const sent = await send({ user: 0, tab: 0, instance: 0, phase: "storm", baseUrl, path, jar }, options);
        jar = sent.jar;
        return sent.sample;
      };
      for (const path of PROTECTED_PATHS) {
        // Waiting for a real expiry would cost a whole access-token lifetime per path: then the valid path only.
        if (sessions.instantExpiry) {
          jar = await sessions.expire(jar, baseUrl, signal);
          const refreshed = await request(path);
          if (!refreshed.ok) throw new Error(`warm-up: ${baseUrl}${path} with an expired session failed: ${refreshed.failure}`);
        }
        for (let i = 0; i < VALID_REQUESTS_PER_PATH; i++) {
          const sample = await request(path);
          if (!sample.ok) throw new Error(`warm-up: ${baseUrl}${path} failed: ${sample.failure}`);
        }
      }
    }),
  );
}
