/**
 * The origin people reach the app on, for an absolute redirect the middleware writes (the login page).
 * Next's middleware adapter parses `Location` with `new URL()`, so the redirect cannot be relative; and a
 * self-hosted Next 15 sees every request as `http://localhost:<port>` whatever Host it came with, so the
 * request's own origin can be one nobody outside can reach.
 *
 * The same order next-auth v4 uses for its own URLs (next-auth/utils/detect-origin):
 *   1. `NEXTAUTH_URL` when it is set: the operator said where the app lives.
 *   2. Forwarded headers, only when the proxy in front is trusted to write them: on Vercel (`VERCEL=1`) or
 *      with `AUTH_TRUST_HOST` set (true/1). `X-Forwarded-Host` (else `Host`) and `X-Forwarded-Proto`
 *      (`https` unless it says `http`). Without that trust a client could send any X-Forwarded-Host.
 *   3. Otherwise the `Host` the request came with (the one the browser used, unless a proxy rewrote it),
 *      on the request's own scheme: a redirect to where the person already is, like a relative one.
 *   4. The request's origin as Next sees it, when the Host header is absent or not a host.
 */

export interface OriginSources {
  /** NEXTAUTH_URL as set (undefined or empty = unset). */
  readonly appUrl: string | undefined;
  /** VERCEL=1 or AUTH_TRUST_HOST true/1: the proxy in front overwrites the forwarded headers. */
  readonly trustForwardedHeaders: boolean;
  readonly headers: { get(name: string): string | null };
  /** The request's origin as Next parsed it (`request.nextUrl.origin`). */
  readonly requestOrigin: string;
}

/** A host with an optional port: a name, an IPv4 address or a bracketed IPv6 address. Nothing else is taken from a header. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** Whether an AUTH_TRUST_HOST or VERCEL value says yes (next-auth reads them as truthy strings). */
export function trustsForwardedHeaders(env: Readonly<Record<string, string | undefined>>): boolean {
  const yes = (value: string | undefined) => value !== undefined && ["1", "true"].includes(value.trim().toLowerCase());
  return yes(env.VERCEL) || yes(env.AUTH_TRUST_HOST);
}

export function publicOrigin(sources: OriginSources): string {
  const configured = sources.appUrl?.trim();
  if (configured) {
    const origin = originOf(configured);
    if (origin !== null) return origin;
  }
  const requestProtocol = sources.requestOrigin.startsWith("https:") ? "https" : "http";
  if (sources.trustForwardedHeaders) {
    const host = firstHost(sources.headers.get("x-forwarded-host")) ?? firstHost(sources.headers.get("host"));
    const proto = firstEntry(sources.headers.get("x-forwarded-proto"))?.toLowerCase();
    if (host !== null) return `${proto === "http" ? "http" : "https"}://${host}`;
  }
  const host = firstHost(sources.headers.get("host"));
  if (host !== null) return originOf(`${requestProtocol}://${host}`) ?? sources.requestOrigin;
  return sources.requestOrigin;
}

function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.origin : null;
  } catch {
    return null;
  }
}

/** A list's first entry (the one the first proxy wrote, nearest the person). */
function firstEntry(value: string | null): string | undefined {
  return value?.split(",")[0]?.trim() || undefined;
}

function firstHost(value: string | null): string | null {
  const entry = firstEntry(value);
  return entry !== undefined && entry.length <= 260 && HOST.test(entry) ? entry.toLowerCase() : null;
}
