// The leader's settlement, row by row (the table is in settle-plan.ts's header).
import { describe, expect, it } from "vitest";
import type { BackendResult } from "../backend/result";
import type { BackendTokens } from "../backend/tokens";
import { settlePlan, type SettleContext } from "./settle-plan";

const NOW = 1_000_000;
const CONTEXT: SettleContext = {
  token: "r0",
  claim: { sentAt: NOW - 200, answeredAt: NOW - 150 },
  now: NOW,
  lockTtlMs: 7_000,
  graceMs: 30_000,
  rejectedTtlMs: 10_000,
  backoffMs: 2_000,
};
const tokens = (refreshToken: string): BackendTokens => ({
  accessToken: "a",
  refreshToken,
  accessTokenExpires: NOW + 300_000,
});
const ok = (refreshToken: string): BackendResult<BackendTokens> => ({ kind: "ok", value: tokens(refreshToken) });

describe("what the backend answered → what the leader stores, for how long, and what it says", () => {
  it.each<[string, BackendResult<BackendTokens>, Partial<SettleContext>, unknown]>([
    [
      "a successor with a new refresh token → stored for the grace window, linked, timed",
      ok("r1"),
      {},
      {
        kind: "store",
        rememberRefusal: false,
        outcome: { kind: "refreshed", tokens: tokens("r1"), refreshMs: 150 },
        ttlMs: 30_000,
        successorToken: "r1",
        refreshMs: 150,
        lockHeldUntil: NOW - 150 + 7_000,
      },
    ],
    [
      "a successor keeping the refresh token (no rotation) → stored, nothing to link",
      ok("r0"),
      {},
      {
        kind: "store",
        outcome: { kind: "refreshed", tokens: tokens("r0"), refreshMs: 150 },
        ttlMs: 30_000,
        refreshMs: 150,
      },
    ],
    [
      "a successor after a timed-out claim → stored, no refresh time learned, no background retry",
      ok("r1"),
      { claim: null },
      { kind: "store", outcome: { kind: "refreshed", tokens: tokens("r1") }, ttlMs: 30_000, successorToken: "r1" },
    ],
    [
      "a refusal → stored for the refusal marker's life, and remembered here",
      { kind: "rejected", status: 401 },
      {},
      { kind: "store", rememberRefusal: true, outcome: { kind: "rejected" }, ttlMs: 10_000 },
    ],
    [
      "set up wrongly → a back-off, said as backend-misconfigured",
      { kind: "misconfigured", setting: "BACKEND_REFRESH_PATH", detail: "404" },
      {},
      {
        kind: "store",
        rememberRefusal: false,
        event: { event: "backend-misconfigured", detail: "404" },
        outcome: { kind: "unavailable", detail: "backend misconfigured" },
        ttlMs: 2_000,
      },
    ],
    [
      "not answering → a back-off, said as backend-unavailable",
      { kind: "unavailable", reason: "timeout", detail: "timed out" },
      {},
      {
        kind: "store",
        event: { event: "backend-unavailable", detail: "timed out" },
        outcome: { kind: "unavailable", detail: "backend unavailable" },
        ttlMs: 2_000,
      },
    ],
    [
      "an unusable answer → a back-off, said as backend-unavailable",
      { kind: "malformed", detail: "no access token" },
      {},
      {
        kind: "store",
        event: { event: "backend-unavailable", detail: "no access token" },
        outcome: { kind: "unavailable", detail: "backend unavailable" },
      },
    ],
    [
      "a failure with the back-off off (0) → only the lock is freed",
      { kind: "unavailable", reason: "network", detail: "refused" },
      { backoffMs: 0 },
      { kind: "release", rememberRefusal: false, event: { event: "backend-unavailable", detail: "refused" } },
    ],
  ])("%s", (_label, result, overrides, expected) => {
    const plan = settlePlan(result, { ...CONTEXT, ...overrides });
    expect(plan).toMatchObject(expected as object);
    if (result.kind !== "ok") expect(plan).not.toHaveProperty("successorToken");
    if (overrides.claim === null) expect(plan).not.toHaveProperty("lockHeldUntil");
    if (result.kind === "ok" && result.value.refreshToken === CONTEXT.token)
      expect(plan).not.toHaveProperty("successorToken");
  });
});
