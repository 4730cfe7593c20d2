// Fault injection: ways the real Upstash service (or what stands in front of it) can fail that a
// local Redis cannot be made to show. Set from a test through the bridge object only; nothing in
// an HTTP request can reach this.

export type BridgeFault =
  /** Normal service. */
  | "none"
  /** 401 `{ error: "Unauthorized" }`, as for a revoked or wrong token. */
  | "unauthorized"
  /** 429 with Upstash's wording for an exhausted request quota. */
  | "rate-limited"
  /** 500 `{ error }`, or with `status` 502/503/504 an HTML page as a gateway would send one. */
  | "server-error"
  /** Read the request, never answer; the connection stays open until the client gives up. */
  | "hang"
  /** Stop listening and drop open connections: connections are refused until the fault is changed. */
  | "refuse"
  /** 200 with `{ error: "ERR …" }` for every command, as if Redis had refused each one. */
  | "error-reply";

/**
 * Counts are of HTTP requests that pass the Host and Origin checks, not of commands: an
 * auto-pipelined batch of @upstash/redis commands is one request.
 */
export interface BridgeFaultOptions {
  /** Fail only this many requests, then go back to normal service. Default: until setFault is called again. */
  requests?: number;
  /** Serve this many more requests normally before the fault starts (e.g. fail a settle after its claim). Default 0. */
  failAfter?: number;
  /** For 'server-error': 500 (the default; JSON body) or 502, 503, 504 (an HTML body). */
  status?: 500 | 502 | 503 | 504;
  /** For 'error-reply': the error text. */
  message?: string;
}

export const FAULTS: readonly BridgeFault[] = [
  "none",
  "unauthorized",
  "rate-limited",
  "server-error",
  "hang",
  "refuse",
  "error-reply",
];

export const RATE_LIMITED_ERROR = "ERR max requests limit exceeded. Limit: 10000, Usage: 10000.";
export const SERVER_ERROR = "ERR internal server error (injected by the dev bridge)";
export const ERROR_REPLY = "ERR error reply injected by the dev bridge";

/** What to do with one request. */
export type FaultDecision =
  | { kind: "serve" }
  /** Serve this request, then start refusing connections. */
  | { kind: "serve-then-refuse" }
  | { kind: "fail"; fault: Exclude<BridgeFault, "none" | "refuse">; options: BridgeFaultOptions };

/** The current fault and its counters. */
export class FaultState {
  private fault: BridgeFault = "none";
  private options: BridgeFaultOptions = {};
  private passLeft = 0;
  private failLeft: number | undefined;

  get current(): BridgeFault {
    return this.fault;
  }

  /** Whether connections should be refused right now. */
  get refusing(): boolean {
    return this.fault === "refuse" && this.passLeft === 0;
  }

  set(fault: BridgeFault, options: BridgeFaultOptions = {}): void {
    if (!FAULTS.includes(fault)) throw new TypeError(`setFault: unknown fault ${JSON.stringify(fault)}`);
    const { requests, failAfter = 0 } = options;
    if (requests !== undefined && (!Number.isInteger(requests) || requests < 1)) {
      throw new TypeError(`setFault: requests must be a positive integer, got ${requests}`);
    }
    if (!Number.isInteger(failAfter) || failAfter < 0) {
      throw new TypeError(`setFault: failAfter must be a non-negative integer, got ${failAfter}`);
    }
    // A refused connection never reaches the bridge, so there is nothing to count it by.
    if (fault === "refuse" && requests !== undefined) {
      throw new TypeError("setFault: 'refuse' lasts until setFault is called again; it cannot count requests");
    }
    this.fault = fault;
    this.options = { ...options };
    this.passLeft = fault === "none" ? 0 : failAfter;
    this.failLeft = requests;
  }

  /** Decides the fate of one incoming request and advances the counters. */
  next(): FaultDecision {
    if (this.fault === "none") return { kind: "serve" };
    if (this.passLeft > 0) {
      this.passLeft -= 1;
      return this.fault === "refuse" && this.passLeft === 0 ? { kind: "serve-then-refuse" } : { kind: "serve" };
    }
    if (this.fault === "refuse") return { kind: "serve-then-refuse" }; // a request already in flight
    const decision: FaultDecision = { kind: "fail", fault: this.fault, options: this.options };
    if (this.failLeft !== undefined) {
      this.failLeft -= 1;
      if (this.failLeft === 0) this.set("none");
    }
    return decision;
  }
}
