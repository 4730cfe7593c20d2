import { describe, expect, it } from "vitest";
import { addressBucket, clientAddress, parseAddress } from "./client-address";

const XFF = { header: "x-forwarded-for", trustedHops: 1 };

describe("parseAddress", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    [" 203.0.113.7 ", "203.0.113.7"],
    ["203.0.113.7:51234", "203.0.113.7"],
    ["2001:db8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["[2001:db8::1]:443", "2001:0db8:0000:0000:0000:0000:0000:0001"],
    ["::1", "0000:0000:0000:0000:0000:0000:0000:0001"],
    ["::ffff:198.51.100.4", "198.51.100.4"],
    ["::ffff:c633:6404", "198.51.100.4"],
    ["1:2:3:4:5:6:7:8", "0001:0002:0003:0004:0005:0006:0007:0008"],
    ["64:ff9b::192.0.2.33", "0064:ff9b:0000:0000:0000:0000:c000:0221"],
  ])("%j → %s", (input, expected) => {
    expect(parseAddress(input)).toBe(expected);
  });

  it.each([
    "",
    "unknown",
    "_hidden",
    "example.com",
    "256.1.1.1",
    "01.2.3.4",
    "1.2.3",
    "1.2.3.4.5",
    "1:2:3:4:5:6:7:8:9",
    "1::2::3",
    "::g",
    "fe80::1%eth0",
    "1.2.3.4:99999",
    "[1.2.3.4]",
    "2001:db8::1:",
    ":2001:db8::1",
    "1:2:3:4:5:6:7::8:9",
    "a".repeat(65),
  ])("%j is no address", (input) => {
    expect(parseAddress(input)).toBeNull();
  });
});

describe("clientAddress", () => {
  it("takes the right-most entry by default, never the client-written left-most", () => {
    expect(clientAddress({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }, XFF)).toBe("203.0.113.7");
    expect(clientAddress(new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }), XFF)).toBe("203.0.113.7");
  });

  it("counts trusted proxy hops from the right", () => {
    const headers = { "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" };
    expect(clientAddress(headers, { header: "x-forwarded-for", trustedHops: 2 })).toBe("203.0.113.7");
    expect(clientAddress(headers, { header: "x-forwarded-for", trustedHops: 3 })).toBe("6.6.6.6");
    expect(clientAddress(headers, { header: "x-forwarded-for", trustedHops: 4 })).toBeNull();
  });

  it("joins repeated header lines (Node gives an array for some headers) in order", () => {
    expect(clientAddress({ "x-real-ip": ["6.6.6.6", "203.0.113.7"] }, { header: "x-real-ip", trustedHops: 1 })).toBe(
      "203.0.113.7",
    );
  });

  it("is null without a source, without the header, or with garbage in the trusted entry", () => {
    expect(clientAddress({ "x-forwarded-for": "203.0.113.7" }, undefined)).toBeNull();
    expect(clientAddress(undefined, XFF)).toBeNull();
    expect(clientAddress({}, XFF)).toBeNull();
    expect(clientAddress({ "x-forwarded-for": "203.0.113.7, evil" }, XFF)).toBeNull();
    expect(clientAddress({ "x-forwarded-for": "" }, XFF)).toBeNull();
    expect(clientAddress({ "x-forwarded-for": 42 as unknown as string }, XFF)).toBeNull();
  });

  it("reads an oversized header from its right end only, so padding on the left cannot hide the address", () => {
    expect(clientAddress({ "x-forwarded-for": `${"9.9.9.9, ".repeat(5000)}203.0.113.7` }, XFF)).toBe("203.0.113.7");
  });

  it("does not read inherited properties of a plain record", () => {
    expect(
      clientAddress(Object.create({ "x-forwarded-for": "203.0.113.7" }) as Record<string, string>, XFF),
    ).toBeNull();
  });
});

describe("addressBucket", () => {
  it("is the IPv4 address itself, an IPv6 address's /64", () => {
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket("2001:0db8:0001:0002:0000:0000:0000:0001")).toBe("2001:0db8:0001:0002::/64");
    expect(addressBucket("2001:0db8:0001:0002:ffff:0000:0000:0009")).toBe("2001:0db8:0001:0002::/64");
  });
});
