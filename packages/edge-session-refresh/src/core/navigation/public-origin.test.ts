import { describe, expect, it } from "vitest";
import { publicOrigin, trustsForwardedHeaders } from "./public-origin";

/** Next 15 self-hosted: every request looks like this to the middleware, whatever Host it came with. */
const NEXT15_SEEN = "http://localhost:3000";

function headers(entries: Record<string, string>) {
  const map = new Headers(entries);
  return { get: (name: string) => map.get(name) };
}

describe("the public origin of the login redirect", () => {
  const behindProxy = headers({
    host: "localhost:3000",
    "x-forwarded-host": "app.example.com",
    "x-forwarded-proto": "https",
  });

  it.each([
    [
      "NEXTAUTH_URL wins over everything",
      { appUrl: "https://app.example.com/base/", trust: true, h: headers({ "x-forwarded-host": "evil.example" }) },
      "https://app.example.com",
    ],
    [
      "NEXTAUTH_URL with a port",
      { appUrl: "http://intranet:8080", trust: false, h: behindProxy },
      "http://intranet:8080",
    ],
    [
      "trusted proxy: the forwarded host and scheme",
      { appUrl: undefined, trust: true, h: behindProxy },
      "https://app.example.com",
    ],
    [
      "trusted proxy: an empty NEXTAUTH_URL is unset",
      { appUrl: "", trust: true, h: behindProxy },
      "https://app.example.com",
    ],
    [
      "trusted proxy: a list's first entry, http only when it says so",
      {
        appUrl: undefined,
        trust: true,
        h: headers({ "x-forwarded-host": "a.example, b.example", "x-forwarded-proto": "http,https" }),
      },
      "http://a.example",
    ],
    [
      "trusted proxy: no proto means https",
      { appUrl: undefined, trust: true, h: headers({ "x-forwarded-host": "a.example" }) },
      "https://a.example",
    ],
    [
      "trusted proxy: no forwarded host, the Host",
      { appUrl: undefined, trust: true, h: headers({ host: "b.example:8443" }) },
      "https://b.example:8443",
    ],
    [
      "untrusted: forwarded headers are ignored, the Host is kept",
      { appUrl: undefined, trust: false, h: behindProxy },
      "http://localhost:3000",
    ],
    [
      "untrusted: the Host the browser used, not Next 15's localhost",
      { appUrl: undefined, trust: false, h: headers({ host: "shop.example:8080" }) },
      "http://shop.example:8080",
    ],
    ["an IPv6 Host", { appUrl: undefined, trust: false, h: headers({ host: "[::1]:3000" }) }, "http://[::1]:3000"],
    [
      "a forwarded host that is not a host falls through to the Host",
      { appUrl: undefined, trust: true, h: headers({ host: "ok.example", "x-forwarded-host": "evil.example/path@x" }) },
      "https://ok.example",
    ],
    [
      "a Host that is not a host: the request's origin",
      { appUrl: undefined, trust: false, h: headers({ host: "a b" }) },
      NEXT15_SEEN,
    ],
    [
      "a NEXTAUTH_URL that is not http(s): the next source",
      { appUrl: "ftp://files.example", trust: false, h: headers({ host: "c.example" }) },
      "http://c.example",
    ],
    ["nothing at all: the request's origin", { appUrl: undefined, trust: false, h: headers({}) }, NEXT15_SEEN],
  ])("%s", (_, { appUrl, trust, h }, expected) => {
    expect(publicOrigin({ appUrl, trustForwardedHeaders: trust, headers: h, requestOrigin: NEXT15_SEEN })).toBe(
      expected,
    );
  });

  it("trusts forwarded headers on Vercel or with AUTH_TRUST_HOST, never by default", () => {
    expect(trustsForwardedHeaders({})).toBe(false);
    expect(trustsForwardedHeaders({ VERCEL: "1" })).toBe(true);
    expect(trustsForwardedHeaders({ AUTH_TRUST_HOST: "true" })).toBe(true);
    expect(trustsForwardedHeaders({ AUTH_TRUST_HOST: "1" })).toBe(true);
    expect(trustsForwardedHeaders({ AUTH_TRUST_HOST: "false" })).toBe(false);
    expect(trustsForwardedHeaders({ AUTH_TRUST_HOST: "0" })).toBe(false);
  });
});
