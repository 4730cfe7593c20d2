/**
 * The backend proxy for client code: `/api/backend/<path>` → `BACKEND_URL/<path>`, with the session's
 * access token added server-side as `Authorization: Bearer …`. The browser never holds the token; the
 * middleware (which fronts /api/backend as a protected API) has already refreshed it in this request.
 *
 * Runtime-neutral: a standard Request in, a standard Response out, the access token and fetch injected, so
 * it is tested with real Request objects against real servers; src/next/backend-proxy.ts only wires it to
 * the isolate's settings and session. The path rules are backend-path.ts. The rules, in the order they are applied:
 *
 *  1. method: GET, HEAD, POST, PUT, PATCH, DELETE only (405);
 *  2. same origin: `Sec-Fetch-Site`, when sent, must be `same-origin` or `none`; `Origin`, when sent, must
 *     be the app's (NEXTAUTH_URL's, or the scheme and Host this request came to); a state-changing request
 *     must carry at least one of them (403);
 *  3. path: no `.`/`..` segments, empty segments, backslashes, encoded `/`, `\` or `.`, NUL, `;`, or a
 *     scheme (400); then the allow-list (BACKEND_PROXY_ALLOW prefixes, default `/api/`) and, whatever
 *     the allow-list says, never the backend's auth paths (login, refresh, and every BACKEND_*_PATH but
 *     the profile) (403);
 *  4. session: none → 401;
 *  5. request body bounded (413), request headers from an allow-list only: no Cookie, no client
 *     Authorization, no hop-by-hop or proxy headers;
 *  6. the backend's answer: status and body passed on, the body's size bounded while it streams, only
 *     safe headers (never Set-Cookie; Location only when relative); 401 → 401 JSON; timeout → 504,
 *     unreachable → 503.
 */
import type { Settings } from "../settings";
import { RETRY_AFTER_SECONDS } from "../refresh/outcome";
import { PRIVATE_NO_STORE } from "../support/cache-control";
import { backendPath, isAllowed, normalizedForDeny, rawPathname, relativeLocation, targetUrl } from "./backend-path";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]);
const SAFE_METHODS = new Set(["GET", "HEAD"]);
const SAME_ORIGIN_FETCH_SITES = new Set(["same-origin", "none"]);

/**
 * Request headers passed to the backend; everything else is dropped. An allow-list, so Cookie,
 * Authorization, Proxy-Authorization, Connection and every other hop-by-hop header, Host, Forwarded,
 * Next's internal x-middleware-* and our x-session-* markers can never leak through by omission.
 */
const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "accept-language",
  "content-type",
  "content-language",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "if-range",
  "range",
  "idempotency-key",
  "x-request-id",
];

/** Response headers passed back to the browser (Location separately, only when relative). */
const FORWARDED_RESPONSE_HEADERS = [
  "content-type",
  "content-language",
  "content-disposition",
  "content-range",
  "accept-ranges",
  "cache-control",
  "etag",
  "last-modified",
  "expires",
  "vary",
  "retry-after",
];

/** The backend proxy's configuration: where it forwards, from which origins, which paths, with which limits (backendProxyConfig). */
export interface BackendProxyConfig {
  /** The backend's base URL, no trailing slash (may carry a path, e.g. https://api.example.com/v1). */
  readonly backendUrl: string;
  /** Origins a browser may call the proxy from: the app's configured origin. */
  readonly appOrigins: readonly string[];
  /** Backend path prefixes that may be proxied; a prefix ending in "/" matches anything under it. */
  readonly allow: readonly string[];
  /** Backend paths never proxied, with everything under them: the auth endpoints. */
  readonly deny: readonly string[];
  readonly timeoutMs: number;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
}

/** What proxyToBackend takes per request: its configuration, the session's access token, and optionally fetch. */
export interface BackendProxyDependencies {
  readonly config: BackendProxyConfig;
  /** The current session's access token (already refreshed by the middleware), or null when signed out. */
  readonly accessToken: () => Promise<string | null>;
  readonly fetch?: typeof fetch;
}

/**
 * The proxy's configuration from the parsed settings (`settings.backendProxy`, BACKEND_PROXY_* and the
 * backend's auth paths, checked by parseSettings with every other setting).
 */
export function backendProxyConfig(settings: Settings): BackendProxyConfig {
  const proxy = settings.backendProxy;
  return Object.freeze({
    backendUrl: settings.backend.baseUrl,
    appOrigins: Object.freeze([new URL(settings.appUrl).origin]),
    allow: proxy.allow,
    deny: Object.freeze(proxy.deniedPaths.map(normalizedForDeny)),
    timeoutMs: settings.backend.timeoutMs,
    maxRequestBytes: proxy.maxRequestBytes,
    maxResponseBytes: proxy.maxResponseBytes,
  });
}

/** Handles one request to the proxy. Never throws: every failure is a JSON answer. */
export async function proxyToBackend(request: Request, deps: BackendProxyDependencies): Promise<Response> {
  const { config } = deps;
  const method = request.method.toUpperCase();
  if (!METHODS.has(method))
    return problem(405, "method_not_allowed", `${method} is not proxied.`, { allow: [...METHODS].join(", ") });

  const refusal = crossSiteRefusal(request, method, config);
  if (refusal !== null) return problem(403, "cross_site_refused", refusal);

  const path = backendPath(rawPathname(request.url));
  if (path === null) return problem(400, "bad_path", "The backend path is not a plain path.");
  if (!isAllowed(path, config))
    return problem(403, "path_not_allowed", "This backend path is not available through the proxy.");
  const target = targetUrl(config.backendUrl, path, new URL(request.url).search);
  if (target === null) return problem(400, "bad_path", "The backend path is not a plain path.");

  const accessToken = await deps.accessToken();
  if (accessToken === null) return problem(401, "signed_out", "Sign in first.");

  let body: Uint8Array | undefined;
  if (!SAFE_METHODS.has(method)) {
    const read = await boundedBody(request, config.maxRequestBytes);
    if (read === "too_large")
      return problem(413, "body_too_large", `The request body is larger than ${config.maxRequestBytes} bytes.`);
    body = read ?? undefined;
  }

  const headers = new Headers();
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  headers.set("authorization", `Bearer ${accessToken}`);

  const timeout = AbortSignal.timeout(config.timeoutMs);
  const signal = AbortSignal.any([timeout, request.signal]);
  let upstream: Response;
  try {
    upstream = await (deps.fetch ?? fetch)(target, {
      method,
      headers,
      body: body as BodyInit | undefined,
      redirect: "manual",
      signal,
      cache: "no-store",
    });
  } catch (error) {
    if (timeout.aborted)
      return problem(504, "backend_timeout", "The backend did not answer in time.", {
        "retry-after": String(RETRY_AFTER_SECONDS),
      });
    if (request.signal.aborted) return problem(499, "client_closed", "The request was abandoned.");
    console.warn("[backend-proxy] backend unreachable:", error instanceof Error ? error.message : error);
    return problem(503, "backend_unavailable", "The backend is not answering; try again shortly.", {
      "retry-after": String(RETRY_AFTER_SECONDS),
    });
  }

  if (upstream.status === 401) {
    await upstream.body?.cancel();
    return problem(401, "backend_unauthorized", "The backend did not accept this session.");
  }
  const declared = Number(upstream.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > config.maxResponseBytes) {
    await upstream.body?.cancel();
    return problem(502, "backend_response_too_large", "The backend's answer is too large to pass on.");
  }
  return new Response(
    nullBodyStatus(upstream.status) || method === "HEAD" ? null : boundedStream(upstream.body, config.maxResponseBytes),
    {
      status: upstream.status,
      statusText: upstream.statusText,
      headers: responseHeaders(upstream.headers, new URL(config.backendUrl).pathname.replace(/\/+$/, "")),
    },
  );
}

function crossSiteRefusal(request: Request, method: string, config: BackendProxyConfig): string | null {
  const site = request.headers.get("sec-fetch-site");
  const origin = request.headers.get("origin");
  if (site !== null && !SAME_ORIGIN_FETCH_SITES.has(site.toLowerCase())) return `A ${site} request is not proxied.`;
  if (origin !== null && !config.appOrigins.includes(origin) && !sameHost(request, origin))
    return "The request does not come from this app's origin.";
  if (!SAFE_METHODS.has(method) && site === null && origin === null)
    return "A state-changing request must say where it comes from (Origin or Sec-Fetch-Site).";
  return null;
}

/**
 * Whether `origin` is the host this request was sent to (the app reached under another name than
 * NEXTAUTH_URL, e.g. 127.0.0.1 for localhost). A browser sets Host itself, so a cross-site page cannot make
 * the two agree; the scheme must match too.
 */
function sameHost(request: Request, origin: string): boolean {
  const host = request.headers.get("host");
  if (host === null) return false;
  try {
    const parsed = new URL(origin);
    return parsed.host === host.toLowerCase() && parsed.protocol === new URL(request.url).protocol;
  } catch {
    return false;
  }
}

async function boundedBody(request: Request, limit: number): Promise<Uint8Array | null | "too_large"> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await request.body?.cancel().catch(() => undefined);
    return "too_large";
  }
  if (request.body === null) return null;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return "too_large";
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

/** The backend's body, passed on as it arrives; the stream errors (the connection is cut) past `limit` bytes. */
function boundedStream(body: ReadableStream<Uint8Array> | null, limit: number): ReadableStream<Uint8Array> | null {
  if (body === null) return null;
  let size = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        size += chunk.byteLength;
        if (size > limit) controller.error(new Error(`backend response larger than ${limit} bytes`));
        else controller.enqueue(chunk);
      },
    }),
  );
}

function responseHeaders(upstream: Headers, basePath: string): Headers {
  const headers = new Headers();
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.get(name);
    if (value !== null) headers.set(name, value);
  }
  // The answer was made for this user's token: a shared cache must never keep it.
  const cacheControl = headers.get("cache-control");
  if (cacheControl === null) headers.set("cache-control", PRIVATE_NO_STORE);
  else if (/\bpublic\b/i.test(cacheControl))
    headers.set("cache-control", cacheControl.replace(/\bpublic\b/gi, "private"));
  const location = relativeLocation(upstream.get("location"), basePath);
  if (location !== null) headers.set("location", location);
  headers.set("x-content-type-options", "nosniff");
  return headers;
}

function nullBodyStatus(status: number): boolean {
  return status === 204 || status === 205 || status === 304;
}

function problem(status: number, error: string, message: string, extraHeaders: Record<string, string> = {}): Response {
  return Response.json({ error, message }, { status, headers: { "cache-control": "no-store", ...extraHeaders } });
}
