// What each answer means to the simulated user: the verdict, the failure's name, the Server-Timing outcome.
import { describe, expect, it } from "vitest";
import { judge, parseServerTiming, type Judging } from "./request";

const response = (status: number, location?: string) => ({
  status,
  headers: new Headers(location ? { location } : {}),
});
const plain: Judging = { signInPaths: ["/login", "/api/auth/signin"] };
const withProfileCheck: Judging = {
  ...plain,
  check: (_path, body) => (body.includes("profile") ? undefined : "200 without profile"),
};

describe("judge", () => {
  it.each([
    ["/api/profile", response(200), "{}", plain, "served", undefined],
    ["/api/profile", response(204), "", plain, "served", undefined],
    ["/api/profile", response(200), '{"error":"x"}', withProfileCheck, "failed", "200 without profile"],
    ["/api/profile", response(200), '{"profile":{}}', withProfileCheck, "served", undefined],
    ["/api/profile", response(401), '{"error":"session_expired"}', plain, "signed-out", "401 session_expired"],
    [
      "/api/profile",
      response(503),
      '{"error":"session_refresh_unavailable"}',
      plain,
      "unavailable",
      "503 session_refresh_unavailable",
    ],
    ["/dashboard", response(500), "<html>", plain, "failed", "500"],
    [
      "/dashboard",
      response(307, "/login?error=SessionExpired"),
      "",
      plain,
      "signed-out",
      "307 → /login?error=SessionExpired",
    ],
    [
      "/dashboard",
      response(307, "http://127.0.0.1:3000/login?callbackUrl=%2Fdashboard"),
      "",
      plain,
      "signed-out",
      "307 → /login",
    ],
    [
      "/dashboard",
      response(302, "/api/auth/signin?callbackUrl=%2Fdashboard"),
      "",
      plain,
      "signed-out",
      "302 → /api/auth/signin",
    ],
    ["/app/dashboard", response(307, "/app/login"), "", plain, "signed-out", "307 → /app/login"],
    ["/dashboard", response(308, "/dashboard/"), "", plain, "failed", "308 → /dashboard/"],
    ["/dashboard", response(307, "/sign-in"), "", { signInPaths: ["/sign-in"] }, "signed-out", "307 → /sign-in"],
  ])("%s %o %s → %s", (path, res, body, judging, verdict, failure) => {
    expect(judge(path as string, res as ReturnType<typeof response>, body as string, judging as Judging)).toEqual({
      verdict,
      ...(failure ? { failure } : {}),
    });
  });
});

describe("parseServerTiming", () => {
  it.each([
    ['session;desc="refreshed";dur=182.4', "refreshed", 182.4],
    ['app;dur=3, session;desc="joined";dur=190', "joined", 190],
    ['session;desc="valid"', "valid", null],
    ['session;desc="something-new";dur=1', "none", 1],
    ["db;dur=3", "none", null],
    [null, "none", null],
  ])("%s → %s", (header, outcome, durationMs) => {
    expect(parseServerTiming(header)).toEqual({ outcome, durationMs });
  });
});
