/**
 * What the coordinator tells an operator: one structured line per refresh (per flight: the requests that
 * shared it are counted, not repeated) and one per degraded event. Lines carry outcomes, roles, timings and
 * counts, never a token, a cookie or a key: tests grep every line they produce for every token they issued.
 */
import type { SessionErrorCode } from "../errors";
import type { RefreshOutcome } from "./outcome";

/**
 * How a flight came by its outcome, in the contract's outcome words (Server-Timing), so a log line and a
 * response say the same thing. The outcome says what the requests got; the role says how: a `rejected`
 * outcome may come from leading (`refreshed`: the backend refused us) or from waiting (`joined`).
 */
export type RefreshRole =
  /** Held the lock and called the backend. */
  | "refreshed"
  /** Waited for another request's refresh and took the outcome it stored. */
  | "joined"
  /** Found an outcome already stored (a late request). */
  | "replayed"
  /** Called the backend without the lock because the store failed and that is safe here. */
  | "unlocked"
  /** Gave up before any of that (store failed, waited too long, a chain that loops). */
  | "none";

/** What the refresh coordinator reports (RuntimeDependencies.onEvent): who led, joined or replayed a refresh, and what failed. */
export type CoordinatorEvent =
  | {
      readonly event: "refresh";
      readonly outcome: RefreshOutcome["kind"];
      readonly role: RefreshRole;
      /** Requests of this isolate that shared the flight. */
      readonly requests: number;
      readonly lockWaitMs: number;
      readonly backendMs: number | null;
      readonly storeCommands: number;
      /** Tokens followed forward through stored successors (0: the cookie's own token). */
      readonly chainLength: number;
      readonly detail?: string;
    }
  | {
      readonly event: "store-failed";
      readonly code: SessionErrorCode;
      readonly action: "retrying" | "unavailable" | "unlocked-refresh";
      readonly detail: string;
    }
  | { readonly event: "store-value-invalid"; readonly detail: string }
  | { readonly event: "settle-failed"; readonly attempts: number; readonly detail: string }
  /** A successor whose settle had failed was stored later, in the background, while the lock still held. */
  | { readonly event: "settle-recovered"; readonly attempts: number }
  | { readonly event: "backend-unavailable"; readonly detail: string }
  | { readonly event: "backend-misconfigured"; readonly detail: string }
  | {
      readonly event: "sign-out";
      readonly revoked: "revoked" | "skipped" | "failed";
      readonly chainForgotten: number | null;
      readonly detail?: string;
    };

export type LogLevel = "info" | "warn" | "error";

/** Misconfigurations are errors (someone must act), degraded operation warnings, refreshes information. */
export function levelOf(event: CoordinatorEvent): LogLevel {
  if (event.event === "backend-misconfigured") return "error";
  if (event.event === "store-failed" && (event.code === "STORE_UNAUTHORIZED" || event.code === "STORE_PROTOCOL"))
    return "error";
  if (event.event === "refresh" || (event.event === "sign-out" && event.revoked !== "failed")) return "info";
  return "warn";
}

export interface EventLoggerOptions {
  /** This isolate's name in every line. */
  readonly instance: string;
  readonly now?: () => number;
  readonly write?: (level: LogLevel, line: string) => void;
}

/** The default sink: one JSON object per line on the console, at the event's level. */
export function createEventLogger(options: EventLoggerOptions): (event: CoordinatorEvent) => void {
  const now = options.now ?? Date.now;
  const write = options.write ?? ((level: LogLevel, line: string) => console[level](line));
  return (event) => {
    const level = levelOf(event);
    write(
      level,
      JSON.stringify({
        time: new Date(now()).toISOString(),
        level,
        source: "session",
        instance: options.instance,
        ...event,
      }),
    );
  };
}
