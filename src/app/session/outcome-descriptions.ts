/** What each session outcome the middleware reports (requestSessionOutcome, Server-Timing) means, in words for the /session page. */
import type { RequestOutcome } from "edge-session-refresh/next";

export const OUTCOME_DESCRIPTIONS: Readonly<Record<RequestOutcome["outcome"], string>> = {
  valid: "The access token was still good; nothing else happened.",
  refreshed: "This request led the refresh: it called the backend and shared the new tokens.",
  joined: "Another request was refreshing already; this one waited for its result.",
  replayed: "The refresh had just happened; this request took the stored result.",
  anonymous: "No usable session came with this request.",
  rejected: "The backend refused the refresh; the session was ended.",
  unavailable: "The backend did not answer; the session was kept as it was.",
};
