/**
 * A configuration error (SessionError "CONFIG_INVALID") is answered as one: 500, never the 503 of a backend
 * or lock-store outage, which tells people to wait for something that will not come back by itself.
 *
 * What the answer may show, in production too: the names of the settings to fix (they are in the docs
 * anyway), never a value nor the problem's sentence, which can quote one. The log says everything, once
 * per isolate: every problem's setting and the whole message.
 */
import { NextResponse } from "next/server.js";
import { describeError, isSessionError, type SessionError } from "../core/errors";
import { PRIVATE_NO_STORE } from "../core/support/cache-control";
import type { RouteKind } from "./routes";

/** The `error` of the JSON answer, for APIs and scripts. */
export const CONFIGURATION_ERROR_CODE = "configuration_error";

let logged = false;

/** The error, when it is a configuration error; anything else is not this file's to answer. */
export function configurationError(error: unknown): SessionError | undefined {
  return isSessionError(error, "CONFIG_INVALID") ? error : undefined;
}

/** The setting names of the error, each once, in the order reported. */
export function problemSettings(error: SessionError): string[] {
  return [...new Set(error.problems.map((problem) => problem.setting))];
}

/** Logs the error once per isolate (every request would repeat it otherwise), as one structured line. */
export function logConfigurationError(error: SessionError): void {
  if (logged) return;
  logged = true;
  console.error(
    JSON.stringify({
      level: "error",
      source: "session",
      event: "configuration-error",
      settings: problemSettings(error),
      detail: describeError(error),
    }),
  );
}

/** For tests: the next configuration error is logged again. */
export function resetConfigurationErrorLog(): void {
  logged = false;
}

/**
 * The error's sentence for an answer next-auth shows (a refused sign-in's `error`): the settings to fix by
 * name, never a value. The log has the rest.
 */
export function configurationErrorMessage(error: SessionError): string {
  return `The app's session settings are invalid; the operator must fix ${problemSettings(error).join(", ")} (see the server log).`;
}

/**
 * The answer: a plain page for a protected page, or any other path a browser asks a page of (`Accept:
 * text/html`: /login, the home page); JSON `{ error: "configuration_error", message, settings }` otherwise.
 */
export function configurationErrorResponse(kind: RouteKind, accept: string | null, error: SessionError): NextResponse {
  logConfigurationError(error);
  const settings = problemSettings(error);
  const headers = { "cache-control": PRIVATE_NO_STORE };
  const message = "The app's session settings are invalid; the operator must fix them (see the server log).";
  const page = kind === "page" || (kind === "optional" && (accept ?? "").includes("text/html"));
  if (!page) return NextResponse.json({ error: CONFIGURATION_ERROR_CODE, message, settings }, { status: 500, headers });
  const items = settings.map((name) => `<li><code>${escapeHtml(name)}</code></li>`).join("");
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Configuration error</title></head><body><main><h1>This app is not configured correctly</h1><p>Its operator must fix these settings (the server log says what is wrong with each):</p><ul>${items}</ul></main></body></html>`;
  return new NextResponse(html, { status: 500, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
