/** Property tests of the address parsing: whatever the header holds, no throw, and only a trusted entry counts. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clientAddress, parseAddress } from "./client-address";

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((octets) => octets.join("."));
const ipv6Groups = fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 });
const ipv6 = ipv6Groups.map((groups) => groups.map((g) => g.toString(16)).join(":"));
const canonical6 = (groups: number[]) => groups.map((g) => g.toString(16).padStart(4, "0")).join(":");
const junk = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
  fc.constantFrom("unknown", "_hidden", "", " ", ",,", "[::1", "1.2.3.4:"),
);
const entry = fc.oneof(ipv4, ipv6, junk);

describe("client address parsing (properties)", () => {
  it("never throws, and returns null or a canonical address, for any header value and any hop count", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ unit: "binary", maxLength: 300 }),
          fc.array(entry).map((e) => e.join(",")),
        ),
        fc.integer({ min: 1, max: 10 }),
        (value, trustedHops) => {
          const address = clientAddress({ "x-forwarded-for": value }, { header: "x-forwarded-for", trustedHops });
          expect(address === null || /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f]{4}(:[0-9a-f]{4}){7})$/.test(address)).toBe(true);
        },
      ),
    );
  });

  it("the result depends only on the trusted entry: anything the client prepends changes nothing", () => {
    fc.assert(
      fc.property(
        fc.array(entry, { maxLength: 6 }),
        fc.array(entry, { minLength: 1, maxLength: 4 }),
        (spoofed, trusted) => {
          const source = { header: "x-forwarded-for", trustedHops: trusted.length };
          // Entries are comma-free by construction of the header: a comma inside one would be two entries.
          const clean = (list: string[]) => list.map((e) => e.replaceAll(",", ""));
          const withSpoof = clientAddress(
            { "x-forwarded-for": [...clean(spoofed), ...clean(trusted)].join(", ") },
            source,
          );
          const alone = clientAddress({ "x-forwarded-for": clean(trusted).join(", ") }, source);
          expect(withSpoof).toBe(alone);
        },
      ),
    );
  });

  it("reads every IPv4 address back as itself, with or without a port", () => {
    fc.assert(
      fc.property(ipv4, fc.option(fc.integer({ min: 0, max: 65535 })), (address, port) => {
        expect(parseAddress(port === null ? address : `${address}:${port}`)).toBe(address);
      }),
    );
  });

  it("reads every IPv6 address, full, compressed or bracketed, as the same canonical form", () => {
    fc.assert(
      fc.property(ipv6Groups, (groups) => {
        const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
        fc.pre(!mapped);
        const full = groups.map((g) => g.toString(16)).join(":");
        const compressed = full.replace(/(^|:)0(:0)+(:|$)/, "::");
        expect(parseAddress(full)).toBe(canonical6(groups));
        expect(parseAddress(compressed)).toBe(canonical6(groups));
        expect(parseAddress(`[${compressed}]:443`)).toBe(canonical6(groups));
      }),
    );
  });

  it("every address the IPv6 generator makes parses (the generator itself is sound)", () => {
    fc.assert(
      fc.property(ipv6, (address) => {
        expect(parseAddress(address)).not.toBeNull();
      }),
    );
  });
});
