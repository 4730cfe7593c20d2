/**
 * The lock store's own transport to Upstash's REST API: the three commands it sends (EVALSHA, EVAL, PING),
 * one per `POST /`. @upstash/redis's `Redis` class carries every Redis command and pulls all of them into the
 * edge middleware (about 18 KB of its gzipped bundle) to run two scripts; this file is the part the store uses.
 *
 * What it keeps from that client, because the store relies on it:
 * - `Authorization: Bearer <token>` and `Upstash-Encoding: base64`, with every string in the result decoded
 *   the same way (a top-level "OK" may come unencoded), so any byte survives the JSON;
 * - a Redis error reply (`{ error }`) and a non-2xx answer are errors, a body that is not JSON (a gateway's
 *   page) another; unlike @upstash/redis they keep the HTTP status, and never echo the command's arguments;
 * - one deadline per command (AbortSignal.timeout), one retry after a failed fetch, none after the deadline;
 * - EVALSHA first, EVAL when the server does not know the script (NOSCRIPT);
 * - read-your-writes: the `upstash-sync-token` an answer carries goes with the next command.
 * Not kept: auto-pipelining (commands in the same tick batched into `/pipeline`), telemetry headers.
 */
import type { LockScript, LockScriptClient, UpstashConnection } from "./upstash";
import { scriptSha1 } from "./redis-scripts";

/** How the transport waits and retries; the store's defaults are in upstash.ts. */
export interface UpstashRestOptions {
  /** The deadline of one command, retry included. */
  readonly timeoutMs: number;
  /** Retries after fetch itself failed (refused, reset); never after the deadline or an answer. */
  readonly retries: number;
  readonly retryBackoffMs: number;
}

/** What Upstash (or a proxy in front of it) answered when it was not a result. */
export class UpstashRestError extends Error {
  override readonly name = "UpstashRestError";
  /**
   * @param status the HTTP status (200 for a Redis error reply in a successful answer)
   * @param unreadable the body was not Upstash's JSON
   */
  constructor(
    message: string,
    readonly status: number,
    readonly unreadable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const SYNC_TOKEN_HEADER = "upstash-sync-token";

/** A LockScriptClient on Upstash's REST API, for `createUpstashLockStore`. */
export function createUpstashRestClient(connection: UpstashConnection, options: UpstashRestOptions): LockScriptClient {
  const url = connection.url.replace(/\/$/, "");
  let syncToken = "";

  async function send(command: Array<string | number>): Promise<unknown> {
    const signal = AbortSignal.timeout(options.timeoutMs);
    const init: RequestInit = {
      method: "POST",
      headers: {
        authorization: `Bearer ${connection.token}`,
        "content-type": "application/json",
        "upstash-encoding": "base64",
        [SYNC_TOKEN_HEADER]: syncToken,
      },
      body: JSON.stringify(command),
      cache: "no-store",
      signal,
    };
    let response: Response;
    for (let attempt = 0; ; attempt++) {
      try {
        response = await fetch(url, init);
        break;
      } catch (error) {
        if (signal.aborted || attempt >= options.retries) throw error;
        await new Promise((resolve) => setTimeout(resolve, options.retryBackoffMs));
      }
    }
    const text = await response.text();
    let body: { result?: unknown; error?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch (error) {
      throw new UpstashRestError(
        `Upstash answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
        response.status,
        true,
        { cause: error },
      );
    }
    syncToken = response.headers.get(SYNC_TOKEN_HEADER) ?? syncToken;
    const command0 = String(command[0]).toUpperCase();
    if (!response.ok || body.error !== undefined) {
      throw new UpstashRestError(
        `Upstash answered ${response.status} to ${command0}: ${String(body.error)}`,
        response.status,
        false,
      );
    }
    if (body.result === undefined) throw new UpstashRestError(`no result for ${command0}`, response.status, true);
    return decodeResult(body.result, true);
  }

  return {
    createScript(script: string): LockScript {
      let sha: Promise<string> | undefined;
      return {
        async exec(keys, args) {
          sha ??= scriptSha1(script);
          try {
            return await send(["evalsha", await sha, keys.length, ...keys, ...args]);
          } catch (error) {
            if (!(error instanceof UpstashRestError) || !/NOSCRIPT/i.test(error.message)) throw error;
            return send(["eval", script, keys.length, ...keys, ...args]);
          }
        },
      };
    },
    ping: () => send(["ping"]),
  };
}

/** Upstash-Encoding: base64 turns every string at any depth into base64 of its bytes; numbers and nil stay. */
function decodeResult(value: unknown, topLevel: boolean): unknown {
  if (typeof value === "string") return topLevel && value === "OK" ? value : decodeBase64Text(value);
  if (Array.isArray(value)) return value.map((item) => decodeResult(item, false));
  return value;
}

function decodeBase64Text(encoded: string): string {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0)));
  } catch {
    return encoded; // not base64 after all: a server that ignored the header
  }
}
