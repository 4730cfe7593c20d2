/**
 * Helpers for the reference backend's own HTTP tests: start servers that are closed after each test, send
 * JSON or form bodies, read JSON answers, and a fake clock to inject as `clock` so intervals and expiries
 * are stepped through instead of waited for.
 */

import { afterEach } from "vitest";
import { startReferenceBackend, type BackendOptions, type ReferenceBackend } from "./server";

export const DEMO = { email: "demo@example.com", password: "demo-password" };
export const CONFIDENTIAL = { clientId: "demo-client", clientSecret: "demo-secret" };
export const PUBLIC_CLIENT_ID = "demo-public";

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field in the tests
}

const running: ReferenceBackend[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((backend) => backend.close()));
});

/** Starts a backend on a free port; it is closed after the current test. */
export async function start(options: Partial<BackendOptions> = {}): Promise<ReferenceBackend> {
  const backend = await startReferenceBackend({ port: 0, ...options });
  running.push(backend);
  return backend;
}

/** A clock for the `clock` option: starts at real now, moves only when told. */
export function fakeClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

/** Request headers; an undefined value is left out, which keeps test tables simple. */
type RequestHeaders = Record<string, string | undefined>;

function defined(headers: RequestHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

async function read(response: Response): Promise<JsonResponse> {
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

export async function postJson(
  backend: ReferenceBackend,
  path: string,
  body: unknown,
  headers: RequestHeaders = {},
): Promise<JsonResponse> {
  return read(
    await fetch(backend.url + path, {
      method: "POST",
      headers: defined({ "content-type": "application/json", ...headers }),
      body: JSON.stringify(body),
    }),
  );
}

/** POSTs `params` form-urlencoded, as an OAuth client does; undefined values are left out. */
export async function postForm(
  backend: ReferenceBackend,
  path: string,
  params: Record<string, string | undefined>,
  headers: RequestHeaders = {},
): Promise<JsonResponse> {
  const form = new URLSearchParams(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return read(
    await fetch(backend.url + path, {
      method: "POST",
      headers: defined({ "content-type": "application/x-www-form-urlencoded", ...headers }),
      body: form.toString(),
    }),
  );
}

export async function getProfile(backend: ReferenceBackend, accessToken: string): Promise<JsonResponse> {
  return read(await fetch(`${backend.url}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } }));
}
