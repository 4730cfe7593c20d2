import { describe, expect, it } from "vitest";
import { parseOutcomeMarker } from "./session-outcome";

describe("the middleware's outcome marker", () => {
  it("reads what the middleware writes and nothing else", () => {
    expect(parseOutcomeMarker("joined;dur=12.5")).toEqual({ outcome: "joined", durationMs: 12.5 });
    expect(parseOutcomeMarker("valid")).toEqual({ outcome: "valid", durationMs: null });
    expect(parseOutcomeMarker("hacked;dur=1")).toBeNull();
    expect(parseOutcomeMarker("")).toBeNull();
    expect(parseOutcomeMarker(null)).toBeNull();
  });
});
