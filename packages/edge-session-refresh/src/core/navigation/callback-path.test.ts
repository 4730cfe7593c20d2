import { describe, expect, it } from "vitest";
import { DEFAULT_CALLBACK_PATH, sameOriginRedirect, sanitizeCallbackPath } from "./callback-path";

const FALLBACK = DEFAULT_CALLBACK_PATH;

describe("sanitizeCallbackPath: hostile forms end as the fallback", () => {
  const hostile: string[] = [
    // dot segments that normalise into a scheme-relative `//host`
    "/.//evil.example/x",
    "/..//evil.example/x",
    "/%2e//evil.example/x",
    "/%2E//evil.example/x",
    "/%2e%2e//evil.example/x",
    "/%2E%2E//evil.example/x",
    "/a/..//evil.example/x",
    "/dashboard/..//evil.example/x",
    "/dashboard/../..//evil.example",
    "/././/evil.example",
    "/a/b/../..//evil.example",
    // scheme-relative and backslash forms
    "//evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/a\\b",
    // whitespace and control characters, raw or encoded
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\n//evil.example",
    " /dashboard",
    "/dash board",
    "/\u0000/evil.example",
    "/\u007f",
    "/%09/evil.example",
    "/%0a/evil.example",
    "/%0D%0A/evil.example",
    "/%00",
    // schemes
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https:/\\evil.example",
    "https://evil.example",
    "http://evil.example/dashboard",
    "http:evil.example",
    "HTTP://evil.example",
    "ftp://evil.example",
    "mailto:a@evil.example",
    // encoded slashes and backslashes, single and double
    "/%5cevil.example",
    "/%5Cevil.example",
    "/%2f%2fevil.example",
    "/%2F/evil.example",
    "/%252f%252fevil.example",
    "/%25252f%25252fevil.example",
    "/%255cevil.example",
    "/%252e%252e//evil.example",
    // unicode look-alikes
    "／／evil.example",
    "/／evil.example",
    "＼＼evil.example",
    "/\u2215evil.example",
    "/\u3002evil.example",
    "/dashboard\u2028",
    // userinfo and bare hosts
    "@evil.example",
    "evil.example",
    "evil.example/dashboard",
    "dashboard",
    "?next=/dashboard",
    "#/dashboard",
    // emptiness and oversize
    "",
    `/${"a".repeat(4096)}`,
  ];

  it("covers at least 30 hostile forms", () => {
    expect(hostile.length).toBeGreaterThanOrEqual(30);
  });

  it.each(hostile.map((input) => [input]))("%j → fallback", (input) => {
    expect(sanitizeCallbackPath(input)).toBe(FALLBACK);
  });

  it.each([[null], [undefined], [42], [{ toString: () => "//evil.example" }], [["/dashboard"]]])(
    "non-string %j → fallback",
    (input) => {
      expect(sanitizeCallbackPath(input)).toBe(FALLBACK);
    },
  );
});

describe("sanitizeCallbackPath: good paths are kept, normalised", () => {
  it.each([
    ["/dashboard", "/dashboard"],
    ["/dashboard?tab=1#x", "/dashboard?tab=1#x"],
    ["/dashboard/settings?tab=2", "/dashboard/settings?tab=2"],
    ["/a/b/../c", "/a/c"],
    ["/a/./b", "/a/b"],
    ["/api/../dashboard", "/dashboard"],
    ["/", "/"],
    ["/..", "/"],
    ["/dashboard/..", "/"],
    ["/@evil.example", "/@evil.example"],
    ["/dashboard?next=//evil.example", "/dashboard?next=//evil.example"],
    ["/caf%C3%A9", "/caf%C3%A9"],
    ["/x?q=a%20b", "/x?q=a%20b"],
  ])("%j → %j", (input, expected) => {
    expect(sanitizeCallbackPath(input)).toBe(expected);
  });

  it("uses the caller's fallback, and refuses a hostile fallback too", () => {
    expect(sanitizeCallbackPath("//evil.example", "/home")).toBe("/home");
    expect(sanitizeCallbackPath("//evil.example", "//evil.example")).toBe("/");
    expect(sanitizeCallbackPath("//evil.example", "https://evil.example")).toBe("/");
  });
});

describe("sameOriginRedirect (next-auth's redirect callback)", () => {
  const base = "http://localhost:3000";
  it.each([
    ["/dashboard", `${base}/dashboard`],
    ["/a/b/../c?x=1", `${base}/a/c?x=1`],
    [`${base}/dashboard?tab=1`, `${base}/dashboard?tab=1`],
    [`${base}/.//evil.example/x`, `${base}${FALLBACK}`],
    ["/.//evil.example/x", `${base}${FALLBACK}`],
    ["/%2e//evil.example/x", `${base}${FALLBACK}`],
    ["https://evil.example/dashboard", `${base}${FALLBACK}`],
    ["http://localhost:3001/dashboard", `${base}${FALLBACK}`],
    ["https://localhost:3000/dashboard", `${base}${FALLBACK}`],
    ["http://user:pw@localhost:3000/dashboard", `${base}${FALLBACK}`],
    [`${base}/\t/evil.example`, `${base}${FALLBACK}`],
    ["//evil.example", `${base}${FALLBACK}`],
    ["javascript:alert(1)", `${base}${FALLBACK}`],
    ["not a url", `${base}${FALLBACK}`],
  ])("%j → %j", (url, expected) => {
    expect(sameOriginRedirect(url, base)).toBe(expected);
  });

  it("under a baseUrl with a path, an absolute same-origin URL keeps its own path (no doubled prefix)", () => {
    const sub = "https://x.example/app";
    expect(sameOriginRedirect("https://x.example/app/dashboard?tab=1", sub)).toBe(
      "https://x.example/app/dashboard?tab=1",
    );
    expect(sameOriginRedirect("/dashboard", sub)).toBe("https://x.example/app/dashboard");
    expect(sameOriginRedirect("https://x.example/app/.//evil.example", sub)).toBe(
      "https://x.example/app//evil.example",
    );
    expect(sameOriginRedirect("https://x.example/.//evil.example", sub)).toBe(`${sub}${FALLBACK}`);
    expect(sameOriginRedirect("https://evil.example/app/dashboard", sub)).toBe(`${sub}${FALLBACK}`);
  });

  it("accepts a baseUrl with a trailing slash without doubling it", () => {
    expect(sameOriginRedirect("/dashboard", `${base}/`)).toBe(`${base}/dashboard`);
  });
});
