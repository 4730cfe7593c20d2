/**
 * One person browsing: several tabs over several instances, sharing ONE cookie jar that every response
 * updates in the order the responses arrive, as a browser's does. What each request got back is recorded
 * for the long-session tests and their figures.
 */
import { sessionOutcome } from "./stack";
import { cookieHeader, storeCookies, type CookieJar } from "./sign-in";

export interface BrowsedRequest {
  readonly tab: number;
  readonly instance: number;
  readonly path: string;
  readonly status: number;
  readonly outcome: string | null;
  readonly ms: number;
  /** The page or JSON showed the signed-in person's profile. */
  readonly profileShown: boolean;
}

export interface BrowsingOptions {
  readonly instanceUrls: readonly string[];
  readonly jar: CookieJar;
  readonly tabs: number;
  readonly durationMs: number;
  /** The text that proves the profile was fetched with a working access token (the user's email). */
  readonly profileMarker: string;
  readonly paths?: readonly string[];
  /** A request that takes longer than this is aborted and recorded as status 0: a hang, not a slow page. */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_PATHS = ["/dashboard", "/api/profile"];

export async function browse(options: BrowsingOptions): Promise<BrowsedRequest[]> {
  const paths = options.paths ?? DEFAULT_PATHS;
  const records: BrowsedRequest[] = [];
  const until = Date.now() + options.durationMs;
  await Promise.all(
    Array.from({ length: options.tabs }, async (_, tab) => {
      for (let step = 0; Date.now() < until; step++) {
        const instance = (tab + step) % options.instanceUrls.length;
        const path = paths[(tab + step) % paths.length]!;
        const started = performance.now();
        let status = 0;
        let outcome: string | null = null;
        let body = "";
        try {
          const response = await fetch(`${options.instanceUrls[instance]}${path}`, {
            headers: { cookie: cookieHeader(options.jar) },
            redirect: "manual",
            signal: AbortSignal.timeout(options.requestTimeoutMs ?? 15_000),
          });
          // The browser stores cookies the moment the response arrives, before the body.
          storeCookies(options.jar, response);
          status = response.status;
          outcome = sessionOutcome(response.headers);
          body = await response.text();
        } catch {
          status = 0;
        }
        records.push({
          tab,
          instance,
          path,
          status,
          outcome,
          ms: performance.now() - started,
          profileShown: body.includes(options.profileMarker),
        });
        // A person reads for a moment before the next click.
        await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 350));
      }
    }),
  );
  return records;
}

/** Counts of each value, for figures and readable failures. */
export function tally(values: ReadonlyArray<string | number | null>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}
