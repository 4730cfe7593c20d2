/**
 * The person's address, read only from the header the deployment vouches for (SIGNIN_CLIENT_IP_HEADER):
 * on Vercel `x-forwarded-for`, which the platform overwrites; behind your own proxies, the entry your
 * trusted proxies appended, counted from the right (SIGNIN_TRUSTED_PROXY_HOPS). Never the left-most entry:
 * the client writes that one itself. A value that is not a plain IPv4 or IPv6 address is no address at all
 * (null): garbled, oversized or spoofed input never throws and never becomes a key.
 */

/** A header value longer than this is read from its right end only, up to this many characters. */
export const MAX_SCANNED_HEADER_CHARS = 4096;
/** The longest entry we try to read as an address: IPv6 with an embedded IPv4 and a port fits in 64. */
const MAX_ENTRY_CHARS = 64;

/** The request headers as next-auth hands them to authorize(): a Fetch Headers, or a plain record (Node's IncomingHttpHeaders, App Router's `Object.fromEntries(headers())`). */
export type RequestHeaders = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface ClientAddressSource {
  /** Lower-case header name, e.g. `x-forwarded-for`, `x-real-ip`, `cf-connecting-ip`. */
  readonly header: string;
  /** How many entries from the right the person's address is: 1 = the right-most (Vercel, one proxy of yours). */
  readonly trustedHops: number;
}

/** The person's address in canonical form (IPv4 dotted, IPv6 lower-case and fully expanded), or null. */
export function clientAddress(
  headers: RequestHeaders | undefined,
  source: ClientAddressSource | undefined,
): string | null {
  if (headers === undefined || source === undefined) return null;
  const value = headerValue(headers, source.header);
  if (value === undefined) return null;
  const entry = entryFromRight(
    value.length > MAX_SCANNED_HEADER_CHARS ? value.slice(-MAX_SCANNED_HEADER_CHARS) : value,
    source.trustedHops,
  );
  return entry === undefined ? null : parseAddress(entry);
}

function headerValue(headers: RequestHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function" && typeof (headers as Headers).has === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, unknown>>;
  const value = Object.hasOwn(record, name) ? record[name] : undefined;
  // Node joins repeated x-forwarded-for lines with ", "; an array (other headers) is joined the same way, in order.
  if (typeof value === "string") return value;
  if (Array.isArray(value) && value.every((part) => typeof part === "string")) return value.join(", ");
  return undefined;
}

/** The `hops`-th comma-separated entry from the right, trimmed; undefined when there are fewer entries. */
function entryFromRight(value: string, hops: number): string | undefined {
  let end = value.length;
  for (let hop = 1; hop <= hops; hop++) {
    const comma = value.lastIndexOf(",", end - 1);
    const entry = value.slice(comma + 1, end).trim();
    if (hop === hops) return entry;
    if (comma < 0) return undefined;
    end = comma;
  }
  return undefined;
}

/**
 * An address in canonical form, or null. Accepts `1.2.3.4`, `1.2.3.4:5678` (Azure and some proxies add the
 * port), IPv6 (`2001:db8::1`), bracketed with a port (`[2001:db8::1]:443`); an IPv4-mapped IPv6 address is
 * its IPv4 address. Zone ids, hostnames, `unknown`, obfuscated identifiers (RFC 7239 `_hidden`) are null.
 */
export function parseAddress(entry: string): string | null {
  const text = entry.trim();
  if (text.length === 0 || text.length > MAX_ENTRY_CHARS) return null;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) return validPort(bracketed[2]) ? parseIPv6(bracketed[1]!) : null;
  const ipv4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(text);
  if (ipv4WithPort) return validPort(ipv4WithPort[2]) ? parseIPv4(ipv4WithPort[1]!) : null;
  return text.includes(":") ? parseIPv6(text) : null;
}

function validPort(port: string | undefined): boolean {
  return port === undefined || Number(port) <= 65535;
}

function parseIPv4(text: string): string | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const octets: number[] = [];
  for (const part of parts) {
    // Leading zeros are refused: some parsers read them as octal, so they are ambiguous by nature.
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    octets.push(octet);
  }
  return octets.join(".");
}

function parseIPv6(input: string): string | null {
  if (!/^[0-9a-fA-F:.]+$/.test(input)) return null;
  let text = input;
  // An embedded IPv4 in the last 32 bits (`::ffff:1.2.3.4`) is rewritten as its two hex groups.
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    const ipv4 = parseIPv4(text.slice(lastColon + 1));
    if (ipv4 === null) return null;
    const [a, b, c, d] = ipv4.split(".").map(Number) as [number, number, number, number];
    text = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const group = (part: string) => (part === "" ? [] : part.split(":"));
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  if ([...left, ...right].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...left.map(hex), ...Array<number>(missing).fill(0), ...right.map(hex)];
  // ::ffff:a.b.c.d is an IPv4 client seen through a dual-stack socket: the same person as a.b.c.d.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  }
  return groups.map((g) => g.toString(16).padStart(4, "0")).join(":");
}

function hex(group: string): number {
  return parseInt(group, 16);
}

/**
 * What the per-address limits count: an IPv4 address itself, an IPv6 address's /64 network. One IPv6
 * subscriber usually holds a whole /64 (often more), so counting single IPv6 addresses would give an
 * attacker 2^64 fresh addresses for free.
 */
export function addressBucket(address: string): string {
  if (!address.includes(":")) return address;
  return `${address.split(":").slice(0, 4).join(":")}::/64`;
}
