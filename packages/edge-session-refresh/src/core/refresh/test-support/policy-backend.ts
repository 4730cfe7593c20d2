/**
 * A model of a backend's refresh endpoint under each rotation policy, on an injected clock, for coordinator
 * unit tests that move time instead of waiting for it (the reference backend in dev/backend runs on real
 * time, and is what the integration and long-session tests use). It keeps what tests count: refreshes,
 * reuse detections, revoked families.
 */
import type { Clock } from "../../clock";
import type { BackendResult } from "../../backend/result";
import type { BackendTokens } from "../../backend/tokens";
import type { RefreshBackend } from "../coordinator";

export type Policy = "rotate" | "none" | "reuse-interval";

export interface PolicyBackend extends RefreshBackend {
  readonly stats: { refreshes: number; reuseDetections: number; revocations: number; calls: number };
  login(): BackendTokens;
  /** How long each refresh takes, on the injected clock. */
  latencyMs: number;
}

interface Record {
  family: { revoked: boolean };
  consumedAt: number | null;
  successor: BackendTokens | null;
}

export function policyBackend(options: {
  clock: Clock;
  policy: Policy;
  accessTtlMs: number;
  reuseIntervalMs?: number;
  latencyMs?: number;
}): PolicyBackend {
  const { clock, policy, accessTtlMs } = options;
  const reuseIntervalMs = options.reuseIntervalMs ?? 10_000;
  const records = new Map<string, Record>();
  let serial = 0;
  const stats = { refreshes: 0, reuseDetections: 0, revocations: 0, calls: 0 };

  function issue(family: { revoked: boolean }, refreshToken?: string): BackendTokens {
    const token = refreshToken ?? `refresh-${++serial}`;
    if (!records.has(token)) records.set(token, { family, consumedAt: null, successor: null });
    const now = clock.now();
    return {
      accessToken: `access-${++serial}`,
      refreshToken: token,
      accessTokenExpires: now + accessTtlMs,
      accessTokenReceivedAt: now,
    };
  }

  const backend: PolicyBackend = {
    stats,
    latencyMs: options.latencyMs ?? 0,
    login: () => issue({ revoked: false }),
    async refresh(refreshToken): Promise<BackendResult<BackendTokens>> {
      stats.calls++;
      const record = records.get(refreshToken);
      // Consumed on arrival, as a real transaction would, before the answer's latency.
      if (record === undefined || record.family.revoked) return { kind: "rejected", status: 401 };
      let answer: BackendResult<BackendTokens>;
      if (policy === "none") {
        stats.refreshes++;
        answer = { kind: "ok", value: issue(record.family, refreshToken) };
      } else if (record.consumedAt === null) {
        record.consumedAt = clock.now();
        record.successor = issue(record.family);
        stats.refreshes++;
        answer = { kind: "ok", value: record.successor };
      } else if (
        policy === "reuse-interval" &&
        record.successor &&
        clock.now() - record.consumedAt <= reuseIntervalMs
      ) {
        answer = {
          kind: "ok",
          value: {
            ...record.successor,
            accessTokenExpires: clock.now() + accessTtlMs,
            accessTokenReceivedAt: clock.now(),
          },
        };
      } else {
        stats.reuseDetections++;
        record.family.revoked = true;
        answer = { kind: "rejected", status: 401 };
      }
      // The answer takes its time; the token was consumed on arrival, as in a real transaction.
      if (backend.latencyMs > 0) await clock.sleep(backend.latencyMs);
      return answer;
    },
    async revoke(refreshToken) {
      const record = records.get(refreshToken);
      if (record) {
        record.family.revoked = true;
        stats.revocations++;
      }
      return { kind: "ok", value: "revoked" };
    },
  };
  return backend;
}
