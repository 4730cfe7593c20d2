import { describe, expect, it } from "vitest";
import { sanitizeCallbackPath } from "../core/navigation/callback-path";
import { routeKindFor } from "./routes";

describe("callbackUrl is only ever a same-origin path", () => {
  const cases: Array<[string | null, string]> = [
    ["/dashboard", "/dashboard"],
    ["/dashboard?tab=2#x", "/dashboard?tab=2#x"],
    ["/api/../dashboard", "/dashboard"],
    ["https://evil.example/", "/dashboard"],
    ["//evil.example/path", "/dashboard"],
    ["/\\evil.example", "/dashboard"],
    ["/\t/evil.example", "/dashboard"],
    ["javascript:alert(1)", "/dashboard"],
    // Dot segments that only become `//host` after normalising: the open redirect.
    ["/.//evil.example/x", "/dashboard"],
    ["/..//evil.example/x", "/dashboard"],
    ["/%2e//evil.example/x", "/dashboard"],
    ["/a/..//evil.example/x", "/dashboard"],
    ["/dashboard/..//evil.example/x", "/dashboard"],
    ["", "/dashboard"],
    [null, "/dashboard"],
  ];
  it.each(cases)("%j → %s", (input, expected) => {
    expect(sanitizeCallbackPath(input)).toBe(expected);
  });
});

describe("route kinds", () => {
  // The demo app's prefixes (src/app-config.ts).
  const routeKind = routeKindFor(["/dashboard", "/session"], ["/api/profile", "/api/backend"]);
  it.each([
    ["/dashboard", "page"],
    ["/dashboard/settings", "page"],
    ["/dashboards", "optional"],
    ["/api/profile", "api"],
    ["/api/backend/api/me", "api"],
    ["/api/backendish", "optional"],
    ["/session", "page"],
    ["/sessions", "optional"],
    ["/api/auth/session", "optional"],
    ["/", "optional"],
  ])("%s is %s", (path, kind) => {
    expect(routeKind(path)).toBe(kind);
  });
});
