/**
 * Security headers for every response the middleware answers or forwards. Two policies:
 *
 * - `baseline` (the default): headers that cannot break what an app loads. nosniff, a Referrer-Policy,
 *   HSTS when the app's URL is https, and clickjacking protection (`X-Frame-Options: SAMEORIGIN` and a CSP
 *   of `frame-ancestors 'self'` alone). No script, style, image, font, connect, object, base or form
 *   restriction: a static (prerendered) page has no nonce, and a page that loads from a CDN must keep
 *   working. Without a script restriction, `object-src`/`base-uri` would add nothing an injected script
 *   could not do anyway, and `object-src 'none'` would block an embedded PDF.
 * - `nonce` (an explicit choice): the strict nonce-based CSP below. It needs every page rendered
 *   dynamically: a prerendered page was rendered without the nonce, so the browser blocks its scripts and
 *   it never hydrates.
 *
 * The nonce is fresh per request. Next adds it to its own inline and framework scripts when it finds it
 * in the *request's* `Content-Security-Policy` header (Next's CSP guide), so for a response that forwards
 * the request to a page the nonce and the policy go on the forwarded request as well as on the response.
 */
import type { NextRequest, NextResponse } from "next/server.js";

/**
 * What an app may say about the security headers (`createSessionMiddleware({ security })`, docs/CONFIGURATION.md,
 * "Security headers"). `false` there turns them all off, for an app that sends its own.
 */
export interface SecurityHeadersConfig {
  /**
   * `"baseline"` (default): nosniff, Referrer-Policy, HSTS on https, `X-Frame-Options: SAMEORIGIN` and a CSP
   * of `frame-ancestors 'self'` only, safe for every page, static or not. `"nonce"`: the strict nonce-based
   * CSP (`script-src 'nonce-…' 'strict-dynamic'`, `default-src 'self'`, …). Only for an app whose pages
   * are all rendered dynamically: a prerendered page carries no nonce, so its scripts are blocked and it
   * never hydrates (Next's CSP guide). In development the middleware warns once that it is on.
   */
  readonly csp?: CspPolicy;
  /**
   * Sources added to the Content-Security-Policy, by directive: `{ "img-src": ["https://cdn.example"],
   * "connect-src": ["https://api.example"] }`. They are appended to the defaults; for a directive whose
   * default is `'none'` (object-src, frame-ancestors) they replace it, and a directive the defaults lack is
   * added. The nonce, 'strict-dynamic' and every other default stay. With the baseline policy, whose only
   * directive is `frame-ancestors 'self'`, they are the policy's other directives.
   */
  readonly contentSecurityPolicy?: Readonly<Record<string, readonly string[]>>;
}

/** Which Content-Security-Policy the middleware sends (SecurityHeadersConfig.csp). */
export type CspPolicy = "baseline" | "nonce";
export const CSP_POLICIES: readonly CspPolicy[] = ["baseline", "nonce"];

export interface SecurityHeaderOptions {
  /** Default `baseline`; `nonce` is the strict policy. */
  readonly policy?: CspPolicy;
  /** Development (React refresh needs 'unsafe-eval'); false in production. */
  readonly dev: boolean;
  /** The app's public URL is https (NEXTAUTH_URL): send HSTS and upgrade-insecure-requests. */
  readonly https: boolean;
  /** The app's additions to the policy (checked by checkedCspAdditions). */
  readonly cspAdditions?: Readonly<Record<string, readonly string[]>>;
}

export const NONCE_REQUEST_HEADER = "x-nonce";
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";
export const REFERRER_POLICY = "strict-origin-when-cross-origin";

/** 16 random bytes, base64: unguessable, and only [A-Za-z0-9+/=] so it is safe inside the header. */
export function createNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * The default policy: clickjacking protection and nothing that could block what a page loads. Additions
 * extend it the same way as the nonce policy's.
 */
export function baselineContentSecurityPolicy(options: SecurityHeaderOptions): string {
  return withAdditions(["frame-ancestors 'self'"], options.cspAdditions ?? {}).join("; ");
}

/** The strict policy (`csp: "nonce"`). */
export function contentSecurityPolicy(nonce: string, options: SecurityHeaderOptions): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error("a CSP nonce must be base64 of at least 12 random bytes");
  const directives = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.dev ? " 'unsafe-eval'" : ""}`,
    // React and Next set style attributes; styles cannot run code, scripts are what the nonce guards.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    `connect-src 'self'${options.dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ["upgrade-insecure-requests"] : []),
  ];
  return withAdditions(directives, options.cspAdditions ?? {}).join("; ");
}

const DIRECTIVE_NAME = /^[a-z][a-z-]*$/;
/** One CSP source expression: no whitespace, no `;` or `,` (they would end the directive or the policy). */
const SOURCE_EXPRESSION = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/**
 * The app's additions, checked once when the middleware is created: a misspelt directive or a source that
 * could end the policy early is a configuration error, never a weaker header at request time.
 */
export function checkedCspAdditions(
  additions: Readonly<Record<string, readonly string[]>>,
): Readonly<Record<string, readonly string[]>> {
  const problems: string[] = [];
  for (const [name, sources] of Object.entries(additions)) {
    if (!DIRECTIVE_NAME.test(name)) problems.push(`${JSON.stringify(name)} is not a CSP directive name`);
    if (!Array.isArray(sources) || sources.length === 0) problems.push(`${name}: give a non-empty list of sources`);
    else
      for (const source of sources)
        if (typeof source !== "string" || !SOURCE_EXPRESSION.test(source))
          problems.push(`${name}: ${JSON.stringify(source)} is not one CSP source expression`);
  }
  if (problems.length > 0) throw new Error(`[session] security.contentSecurityPolicy:\n  - ${problems.join("\n  - ")}`);
  return Object.freeze(
    Object.fromEntries(Object.entries(additions).map(([name, sources]) => [name, Object.freeze([...sources])])),
  );
}

function withAdditions(
  directives: readonly string[],
  additions: Readonly<Record<string, readonly string[]>>,
): string[] {
  const result = [...directives];
  for (const [name, sources] of Object.entries(additions)) {
    const index = result.findIndex((directive) => directive === name || directive.startsWith(`${name} `));
    if (index === -1) {
      result.push([name, ...sources].join(" "));
      continue;
    }
    const current = result[index]!.split(" ")
      .slice(1)
      .filter((source) => source !== "'none'");
    result[index] = [name, ...current, ...sources.filter((source) => !current.includes(source))].join(" ");
  }
  return result;
}

/** The response headers for one request; `nonce` is used by the nonce policy only. */
export function securityHeaders(nonce: string, options: SecurityHeaderOptions): Record<string, string> {
  const nonced = options.policy === "nonce";
  const policy = nonced ? contentSecurityPolicy(nonce, options) : baselineContentSecurityPolicy(options);
  const framing = /(?:^|; )frame-ancestors ([^;]*)/.exec(policy)?.[1];
  return {
    "content-security-policy": policy,
    // For browsers without frame-ancestors; only where it says the same (an app that allows a partner to frame it gets none).
    ...(framing === "'self'"
      ? { "x-frame-options": "SAMEORIGIN" }
      : framing === "'none'"
        ? { "x-frame-options": "DENY" }
        : {}),
    "x-content-type-options": "nosniff",
    "referrer-policy": REFERRER_POLICY,
    ...(options.https ? { "strict-transport-security": HSTS_VALUE } : {}),
  };
}

/**
 * Puts the headers on `response`, and, for the nonce policy, when it forwards the request to a page
 * (NextResponse.next), the nonce and the policy on the forwarded request too, keeping whatever request headers it already
 * rewrites (the session cookie). Next carries rewritten request headers as `x-middleware-override-headers`
 * plus one `x-middleware-request-<name>` each; without an override list the request passes unchanged, so
 * the list is then started from the incoming request's headers.
 */
export function withSecurityHeaders(
  request: NextRequest,
  response: NextResponse,
  options: SecurityHeaderOptions,
): NextResponse {
  const nonced = options.policy === "nonce";
  const nonce = nonced ? createNonce() : "";
  const headers = securityHeaders(nonce, options);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  // The baseline policy has no nonce for Next to find: the forwarded request stays as it is.
  if (!nonced || response.headers.get("x-middleware-next") !== "1") return response;

  const listed = response.headers.get("x-middleware-override-headers");
  const names = new Set(
    listed === null
      ? []
      : listed
          .split(",")
          .map((name) => name.trim())
          .filter(Boolean),
  );
  if (listed === null) {
    for (const [name, value] of request.headers) {
      names.add(name);
      response.headers.set(`x-middleware-request-${name}`, value);
    }
  }
  const forwarded = { [NONCE_REQUEST_HEADER]: nonce, "content-security-policy": headers["content-security-policy"]! };
  for (const [name, value] of Object.entries(forwarded)) {
    names.add(name);
    response.headers.set(`x-middleware-request-${name}`, value);
  }
  response.headers.set("x-middleware-override-headers", [...names].join(","));
  return response;
}
