/**
 * The little HTTP plumbing the backend needs on top of node:http: a size-capped JSON body reader and a JSON
 * writer. Outcomes are values, so handlers never try/catch for an ordinary bad request.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { Reply } from "./shapes";

/** Token requests are tiny; the cap keeps a misbehaving client from making the server buffer megabytes. */
export const MAX_BODY_BYTES = 64 * 1024;

export type BodyOutcome =
  | { kind: "parsed"; value: unknown }
  | { kind: "malformed"; message: string }
  | { kind: "too_large" }
  | { kind: "unsupported_media_type" };

export type BodyFormat = "json" | "form";

/**
 * Reads the whole body. JSON is the protocol; a missing content-type is read as JSON too, and a
 * form-urlencoded body (what OAuth token endpoints take, and what `curl -d` sends) becomes a flat object.
 * A format not in `accept` is an unsupported media type; a form parameter given twice is malformed
 * (RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once").
 */
export async function readBody(
  request: IncomingMessage,
  accept: readonly BodyFormat[] = ["json", "form"],
): Promise<BodyOutcome> {
  const format = bodyFormat(request.headers["content-type"]);
  if (format === undefined || !accept.includes(format)) return { kind: "unsupported_media_type" };
  const declaredLength = Number(request.headers["content-length"] ?? 0);
  if (declaredLength > MAX_BODY_BYTES) return { kind: "too_large" };

  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > MAX_BODY_BYTES) return { kind: "too_large" };
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (format === "form") return parseForm(text);
  if (text.trim() === "") return { kind: "malformed", message: "The request body is empty; JSON was expected" };
  try {
    return { kind: "parsed", value: JSON.parse(text) as unknown };
  } catch {
    return { kind: "malformed", message: "The request body is not valid JSON" };
  }
}

function parseForm(text: string): BodyOutcome {
  const value: Record<string, string> = {};
  for (const [name, entry] of new URLSearchParams(text)) {
    if (Object.hasOwn(value, name)) return { kind: "malformed", message: `The parameter ${name} is repeated` };
    value[name] = entry;
  }
  return { kind: "parsed", value };
}

function bodyFormat(contentType: string | undefined): BodyFormat | undefined {
  const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
  if (!mediaType || mediaType === "application/json" || /^application\/[\w.-]+\+json$/.test(mediaType)) return "json";
  if (mediaType === "application/x-www-form-urlencoded") return "form";
  return undefined;
}

/** Reads a string field; absent, empty and non-string are the same "missing" to a token endpoint. */
export function stringField(body: unknown, ...names: string[]): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  for (const name of names) {
    const value = (body as Record<string, unknown>)[name];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}

export function sendJson(response: ServerResponse, reply: Reply): void {
  // The client may have gone away while a latency delay ran; writing then would only raise an error.
  if (response.destroyed || response.headersSent) return;
  if (reply.body === undefined) {
    response.writeHead(reply.status, { "cache-control": "no-store", ...reply.headers });
    response.end();
    return;
  }
  const payload = JSON.stringify(reply.body);
  response.writeHead(reply.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(payload),
    // RFC 6749 §5.1: token responses must not be cached; no other response here is worth caching either.
    "cache-control": "no-store",
    ...reply.headers,
  });
  response.end(payload);
}
