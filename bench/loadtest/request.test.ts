// What counts as a page that worked, and how a failure is named in the report.
import { describe, expect, it } from "vitest";
import { judge, signedOut } from "./request";

const response = (status: number, location?: string) => ({ status, headers: new Headers(location ? { location } : {}) });

describe("judge", () => {
  it.each([
    ["/api/profile", response(200), '{"profile":{"id":"user-1"}}', undefined],
    ["/api/profile", response(200), '{"error":"x"}', "200 without profile"],
    ["/dashboard", response(200), '<dd data-testid="profile-name">Ann</dd>', undefined],
    ["/dashboard", response(200), '<p data-testid="profile-unavailable">', "200 without profile"],
    ["/api/profile", response(401), '{"error":"session_expired"}', "401 session_expired"],
    ["/api/profile", response(503), '{"error":"session_refresh_unavailable"}', "503 session_refresh_unavailable"],
    ["/dashboard", response(503), "<html>", "503"],
    ["/dashboard", response(307, "/login?error=SessionExpired"), "", "307 → /login?error=SessionExpired"],
    ["/dashboard", response(307, "http://127.0.0.1:3000/login?callbackUrl=%2Fdashboard"), "", "307 → /login"],
  ])("%s %o → %s", (path, res, body, expected) => {
    expect(judge(path as string, res as ReturnType<typeof response>, body as string)).toBe(expected);
  });
});

describe("signedOut: only a lost session counts, not a transient failure", () => {
  it.each([
    ["401 session_expired", true],
    ["401 signed_out", true],
    ["307 → /login?error=SessionExpired", true],
    ["307 → /login", true],
    ["503 session_refresh_unavailable", false],
    ["503 backend_unavailable", false],
    ["200 without profile", false],
    ["timeout", false],
    [undefined, false],
  ])("%s → %s", (failure, expected) => {
    expect(signedOut({ failure })).toBe(expected);
  });
});
