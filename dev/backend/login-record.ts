/**
 * Every POST to the JSON login path and to the OAuth token endpoint (where refresh grants arrive too), with
 * the `X-Forwarded-For` it carried: how tests see what reached the backend, and whom the app said was
 * signing in. Bounded, newest kept.
 */
import type { IncomingMessage } from "node:http";

export interface LoginRequest {
  readonly path: string;
  /** The raw `X-Forwarded-For` header, or null when the app sent none. */
  readonly forwardedFor: string | null;
  readonly at: number;
}

const MAX_RECORDED = 10_000;

export interface LoginRecorder {
  record(path: string, request: IncomingMessage, at: number): void;
  list(): readonly LoginRequest[];
  reset(): void;
}

export function createLoginRecorder(): LoginRecorder {
  let requests: LoginRequest[] = [];
  return {
    record(path, request, at) {
      const header = request.headers["x-forwarded-for"];
      requests.push({ path, forwardedFor: typeof header === "string" ? header : null, at });
      if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
    },
    list: () => requests,
    reset() {
      requests = [];
    },
  };
}
