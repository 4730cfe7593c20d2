import { NextRequest, NextResponse } from "next/server.js";
import { describe, expect, it } from "vitest";
import {
  HSTS_VALUE,
  NONCE_REQUEST_HEADER,
  baselineContentSecurityPolicy,
  contentSecurityPolicy,
  createNonce,
  securityHeaders,
  withSecurityHeaders,
} from "./security-headers";

const PROD = { dev: false, https: false, policy: "nonce" } as const;
const PROD_HTTPS = { dev: false, https: true, policy: "nonce" } as const;
const DEV = { dev: true, https: false, policy: "nonce" } as const;
const BASELINE = { dev: false, https: true } as const;

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .map(([name = "", ...values]) => [name, values]),
  );
}

describe("content security policy", () => {
  it("production: nonce + strict-dynamic scripts, no eval, no inline script, framing/objects/base/forms locked", () => {
    const csp = directives(contentSecurityPolicy("AAAAAAAAAAAAAAAAAAAAAA==", PROD));
    expect(csp.get("script-src")).toEqual(["'self'", "'nonce-AAAAAAAAAAAAAAAAAAAAAA=='", "'strict-dynamic'"]);
    expect(csp.get("default-src")).toEqual(["'self'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'self'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
    expect(csp.has("upgrade-insecure-requests")).toBe(false);
  });

  it("development allows eval for React refresh; https upgrades insecure requests", () => {
    expect(directives(contentSecurityPolicy("AAAAAAAAAAAAAAAAAAAAAA==", DEV)).get("script-src")).toContain(
      "'unsafe-eval'",
    );
    expect(
      directives(contentSecurityPolicy("AAAAAAAAAAAAAAAAAAAAAA==", PROD_HTTPS)).has("upgrade-insecure-requests"),
    ).toBe(true);
  });

  it("refuses a nonce that could break out of the header or is too short to be random", () => {
    expect(() => contentSecurityPolicy("abc", PROD)).toThrow();
    expect(() => contentSecurityPolicy("AAAAAAAAAAAAAAAA'; script-src *", PROD)).toThrow();
  });
});

describe("the baseline policy (the default)", () => {
  it("is frame-ancestors 'self' alone: no source list that could block a script, style, image, font, connection, object or form", () => {
    expect(baselineContentSecurityPolicy(BASELINE)).toBe("frame-ancestors 'self'");
    expect(baselineContentSecurityPolicy({ dev: true, https: false })).toBe("frame-ancestors 'self'");
    const headers = securityHeaders("", BASELINE);
    expect(headers["content-security-policy"]).toBe("frame-ancestors 'self'");
    expect(headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["strict-transport-security"]).toBe(HSTS_VALUE);
  });

  it("forwards no nonce and leaves the forwarded request as it is", () => {
    const request = new NextRequest("http://localhost:3000/about", { headers: { cookie: "a=1" } });
    const response = withSecurityHeaders(request, NextResponse.next(), BASELINE);
    expect(response.headers.get("content-security-policy")).toBe("frame-ancestors 'self'");
    expect(response.headers.get("x-middleware-override-headers")).toBeNull();
    expect(response.headers.get(`x-middleware-request-${NONCE_REQUEST_HEADER}`)).toBeNull();
  });
});

describe("nonces", () => {
  it("are base64 of 16 bytes and differ every time", () => {
    const nonces = new Set(Array.from({ length: 200 }, () => createNonce()));
    expect(nonces.size).toBe(200);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});

describe("security headers", () => {
  it("nosniff and referrer policy always, HSTS only on https", () => {
    const http = securityHeaders(createNonce(), PROD);
    expect(http["x-content-type-options"]).toBe("nosniff");
    expect(http["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    expect(http["strict-transport-security"]).toBeUndefined();
    expect(securityHeaders(createNonce(), PROD_HTTPS)["strict-transport-security"]).toBe(HSTS_VALUE);
  });

  it("a forwarded request carries the same nonce and policy the response announces, and keeps its other headers", () => {
    const request = new NextRequest("http://localhost:3000/login", {
      headers: { cookie: "a=1", "accept-language": "en" },
    });
    const response = withSecurityHeaders(request, NextResponse.next(), PROD);
    const policy = response.headers.get("content-security-policy")!;
    const nonce = response.headers.get(`x-middleware-request-${NONCE_REQUEST_HEADER}`)!;
    expect(policy).toContain(`'nonce-${nonce}'`);
    expect(response.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    const listed = response.headers.get("x-middleware-override-headers")!.split(",");
    expect(listed).toEqual(
      expect.arrayContaining(["cookie", "accept-language", NONCE_REQUEST_HEADER, "content-security-policy"]),
    );
    expect(response.headers.get("x-middleware-request-cookie")).toBe("a=1");
  });

  it("keeps a request-header rewrite that is already there (the refreshed session cookie)", () => {
    const request = new NextRequest("http://localhost:3000/dashboard", {
      headers: { cookie: "old=1", "x-other": "kept" },
    });
    const headers = new Headers(request.headers);
    headers.set("cookie", "new=2");
    const response = withSecurityHeaders(request, NextResponse.next({ request: { headers } }), PROD);
    expect(response.headers.get("x-middleware-request-cookie")).toBe("new=2");
    expect(response.headers.get("x-middleware-override-headers")!.split(",")).toEqual(
      expect.arrayContaining(["cookie", "x-other", NONCE_REQUEST_HEADER, "content-security-policy"]),
    );
  });

  it("a redirect or JSON answer gets the response headers and no request rewrite", () => {
    const request = new NextRequest("http://localhost:3000/dashboard");
    const response = withSecurityHeaders(request, NextResponse.redirect(new URL("/login", request.url)), PROD_HTTPS);
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("strict-transport-security")).toBe(HSTS_VALUE);
    expect(response.headers.get("x-middleware-override-headers")).toBeNull();
  });
});
