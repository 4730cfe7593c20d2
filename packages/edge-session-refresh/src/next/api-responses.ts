/**
 * The JSON error bodies of the app's API answers, in one shape for the middleware and the route handlers:
 * `{ error: <code>, message, retryAfterSeconds? }`, never cached, with Retry-After on 503.
 */
import { NextResponse } from "next/server.js";
import { RETRY_AFTER_SECONDS } from "../core/refresh/outcome";
import { PRIVATE_NO_STORE } from "../core/support/cache-control";

/** The `error` codes of the app's API answers (apiError, and the middleware's own 401 and 503). */
export type ApiErrorCode = "signed_out" | "session_expired" | "session_refresh_unavailable" | "backend_unavailable";

const MESSAGES: Readonly<Record<ApiErrorCode, string>> = {
  signed_out: "Sign in first.",
  session_expired: "Your session has expired; sign in again.",
  session_refresh_unavailable: "The sign-in service is not answering; your session is kept. Try again shortly.",
  backend_unavailable: "The backend is not answering; try again shortly.",
};

/** A JSON error answer in the middleware's shape (`{ error, message, retryAfterSeconds? }`), never cached; Retry-After on 503. */
export function apiError(code: ApiErrorCode, status: 401 | 503, retryAfterSeconds = RETRY_AFTER_SECONDS): NextResponse {
  const headers: Record<string, string> = { "cache-control": PRIVATE_NO_STORE };
  if (status === 503) headers["retry-after"] = String(retryAfterSeconds);
  const body =
    status === 503
      ? { error: code, message: MESSAGES[code], retryAfterSeconds }
      : { error: code, message: MESSAGES[code] };
  return NextResponse.json(body, { status, headers });
}
