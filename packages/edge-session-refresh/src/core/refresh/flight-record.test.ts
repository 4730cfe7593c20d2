// A flight's log line, assembled in one place: its role in the outcome words, its wait measured once.
import { describe, expect, it } from "vitest";
import { newFlightFacts, refreshEvent, roleOf, type FlightFacts } from "./flight-record";
import { unavailable } from "./outcome";

const tokens = { accessToken: "a", refreshToken: "r", accessTokenExpires: 0 };
const facts = (overrides: Partial<FlightFacts>): FlightFacts => ({ ...newFlightFacts(), ...overrides });

describe("the role, in the outcome words", () => {
  it.each<[string, Partial<FlightFacts>, string]>([
    ["led the refresh", { last: { action: "lead", at: 5 } }, "refreshed"],
    [
      "led after waiting (took over a vanished leader)",
      { waitingSince: 1, last: { action: "lead", at: 5 } },
      "refreshed",
    ],
    ["took a stored outcome after waiting", { waitingSince: 1, last: { action: "take", at: 5 } }, "joined"],
    ["took a stored outcome at once", { last: { action: "take", at: 5 } }, "replayed"],
    ["refreshed without the lock", { last: { action: "refresh-unlocked", at: 5 } }, "unlocked"],
    ["gave up", { last: { action: "give-up", at: 5 } }, "none"],
    ["ended without any decision (an unexpected error)", {}, "none"],
  ])("%s → %s", (_case, overrides, role) => {
    expect(roleOf(facts(overrides))).toBe(role);
  });
});

describe("the refresh line", () => {
  it("measures the wait from the first busy answer to the decision that ended it, and nothing else", () => {
    const line = refreshEvent(
      facts({ waitingSince: 1_000, last: { action: "take", at: 1_180.4 }, storeCommands: 2 }),
      { kind: "joined", tokens },
      10,
      1_300,
    );
    expect(line).toEqual({
      event: "refresh",
      outcome: "joined",
      role: "joined",
      requests: 10,
      lockWaitMs: 180,
      backendMs: null,
      storeCommands: 2,
      chainLength: 0,
    });
  });

  it("a leader that never waited waited 0 ms; its backend time and the detail of a failure are kept", () => {
    const line = refreshEvent(
      facts({ last: { action: "lead", at: 100 }, backendMs: 150.6, storeCommands: 2 }),
      unavailable("backend unavailable"),
      1,
      400,
    );
    expect(line).toMatchObject({
      outcome: "unavailable",
      role: "refreshed",
      lockWaitMs: 0,
      backendMs: 151,
      detail: "backend unavailable",
    });
  });
});
