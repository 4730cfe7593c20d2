/**
 * One backend HTTP exchange, from request to JSON body or a classified failure: no answer or too slow is
 * `unavailable`; a redirect or an unexpected 4xx (404, 405, 415 …) is `misconfigured`, named after the
 * path setting to check; 408/425/429 and 5xx are `unavailable`; 400/401/403 are handed to the protocol,
 * which alone knows what its refusals mean. Bodies we do not read are cancelled, so connections are freed.
 */
import type { Clock } from "../clock";
import { describeError } from "../errors";
import type { Malformed, Misconfigured, Unavailable } from "./result";

/** Statuses that mean "not now" rather than "no": they never sign anyone out. */
const TRANSIENT_STATUSES = new Set([408, 425, 429]);
/** Statuses a backend uses to refuse credentials or tokens; any other 4xx is a setup problem on our side. */
export const REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403]);
/** Longest error body we read to learn why a request was refused. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** A 400/401/403 with whatever JSON (or nothing) it carried, for the protocol to interpret. */
export type Refusal = { readonly kind: "refusal"; readonly status: number; readonly body: unknown };
export type JsonAnswer = {
  readonly kind: "json";
  readonly value: unknown;
  readonly receivedAt: number;
  readonly serverDate?: number;
};

export interface BackendCall {
  readonly path: string;
  /** The setting that names `path`, for misconfiguration reports. */
  readonly pathSetting: string;
  readonly init: RequestInit;
  readonly signal?: AbortSignal;
}

export interface BackendHttp {
  exchange(call: BackendCall): Promise<JsonAnswer | Refusal | Unavailable | Malformed | Misconfigured>;
  /** The same, for calls whose answer body does not matter (revocation): any 2xx is success. */
  send(call: BackendCall): Promise<{ readonly kind: "ok" } | Refusal | Unavailable | Misconfigured>;
}

export interface BackendHttpOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
}

export function createBackendHttp(options: BackendHttpOptions): BackendHttp {
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function respond(call: BackendCall): Promise<Response | Unavailable> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      return await fetchImpl(`${options.baseUrl}${call.path}`, {
        ...call.init,
        redirect: "manual",
        signal: call.signal ? AbortSignal.any([timeout, call.signal]) : timeout,
      });
    } catch (error) {
      if (timeout.aborted)
        return {
          kind: "unavailable",
          reason: "timeout",
          detail: `no answer from ${call.path} within ${options.timeoutMs} ms`,
        };
      return { kind: "unavailable", reason: "network", detail: `${call.path}: ${describeError(error)}` };
    }
  }

  async function classify(
    call: BackendCall,
    response: Response,
  ): Promise<Refusal | Unavailable | Misconfigured | null> {
    const { status } = response;
    if (status >= 200 && status < 300) return null;
    if (REFUSAL_STATUSES.has(status)) return { kind: "refusal", status, body: await readErrorBody(response) };
    await response.body?.cancel().catch(() => undefined);
    if (status >= 500 || TRANSIENT_STATUSES.has(status)) {
      return { kind: "unavailable", reason: "status", status, detail: `${call.path} answered ${status}` };
    }
    const what = status >= 300 && status < 400 ? `a redirect (${status}${locationOf(response)})` : `${status}`;
    return {
      kind: "misconfigured",
      status,
      setting: call.pathSetting,
      detail: `${options.baseUrl}${call.path} answered ${what}; check BACKEND_URL and ${call.pathSetting}`,
    };
  }

  return {
    async exchange(call) {
      const response = await respond(call);
      if (!(response instanceof Response)) return response;
      const failure = await classify(call, response);
      if (failure !== null) return failure;
      const receivedAt = options.clock.now();
      const serverDate = Date.parse(response.headers.get("date") ?? "");
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        return { kind: "malformed", detail: `the body of ${call.path} could not be read: ${describeError(error)}` };
      }
      try {
        return {
          kind: "json",
          value: JSON.parse(text),
          receivedAt,
          ...(Number.isFinite(serverDate) ? { serverDate } : {}),
        };
      } catch {
        return { kind: "malformed", detail: `the body of ${call.path} is not JSON (${text.length} bytes)` };
      }
    },
    async send(call) {
      const response = await respond(call);
      if (!(response instanceof Response)) return response;
      const failure = await classify(call, response);
      if (failure !== null) return failure;
      await response.body?.cancel().catch(() => undefined);
      return { kind: "ok" };
    },
  };
}

async function readErrorBody(response: Response): Promise<unknown> {
  try {
    const text = await response.text();
    if (text.length > MAX_ERROR_BODY_BYTES) return undefined;
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function locationOf(response: Response): string {
  const location = response.headers.get("location");
  return location ? ` to ${location.slice(0, 200)}` : "";
}
