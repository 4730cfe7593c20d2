import { afterEach, describe, expect, it, vi } from "vitest";
import { createEventLogger } from "./events";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the default event sink", () => {
  it("writes one JSON line per event, at the level an operator needs", () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const log = createEventLogger({ instance: "i-1", now: () => Date.UTC(2026, 11, 1) });

    log({
      event: "refresh",
      outcome: "joined",
      role: "joined",
      requests: 3,
      lockWaitMs: 120,
      backendMs: null,
      storeCommands: 2,
      chainLength: 0,
    });
    log({ event: "store-failed", code: "STORE_RATE_LIMITED", action: "unavailable", detail: "429" });
    log({ event: "store-failed", code: "STORE_UNAUTHORIZED", action: "unavailable", detail: "401" });
    log({ event: "backend-misconfigured", detail: "404; check BACKEND_REFRESH_PATH" });

    expect(info).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(info.mock.calls[0]![0]))).toEqual({
      time: "2026-12-01T00:00:00.000Z",
      level: "info",
      source: "session",
      instance: "i-1",
      event: "refresh",
      outcome: "joined",
      role: "joined",
      requests: 3,
      lockWaitMs: 120,
      backendMs: null,
      storeCommands: 2,
      chainLength: 0,
    });
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)).code)).toEqual(["STORE_RATE_LIMITED"]);
    expect(error.mock.calls.map(([line]) => JSON.parse(String(line)).event)).toEqual([
      "store-failed",
      "backend-misconfigured",
    ]);
  });
});
