import { describe, expect, it } from "vitest";
import {
  askForRenewal,
  DEFAULT_RETRY_AFTER_MS,
  MAX_RETRY_AFTER_MS,
  readRefreshAheadAnswer,
  retryAfterMs,
  stateAfter,
  type AnswerView,
} from "./refresh-ahead-answer";
import { EMPTY_STATE, MAX_ATTEMPTS_PER_EXPIRY } from "./refresh-ahead-plan";

const NOW = Date.parse("2026-12-02T12:00:00Z");
const PREVIOUS = NOW + 5000;
const timing = (outcome: string) => `session;desc="${outcome}";dur=12.5`;
const session = (accessTokenExpires: number) => ({
  user: { email: "u@example.com" },
  expires: "2027-01-01T00:00:00Z",
  accessTokenExpires,
});

describe("what a background refresh's answer means", () => {
  it.each<{ name: string; answer: AnswerView; expected: ReturnType<typeof readRefreshAheadAnswer> }>([
    {
      name: "refreshed",
      answer: { status: 200, serverTiming: timing("refreshed"), retryAfter: null, body: session(NOW + 10_000) },
      expected: { kind: "renewed", expiresAt: NOW + 10_000 },
    },
    {
      name: "joined another's refresh",
      answer: { status: 200, serverTiming: timing("joined"), retryAfter: null, body: session(NOW + 10_000) },
      expected: { kind: "renewed", expiresAt: NOW + 10_000 },
    },
    {
      name: "valid, already renewed by a navigation",
      answer: { status: 200, serverTiming: timing("valid"), retryAfter: null, body: session(NOW + 9_000) },
      expected: { kind: "renewed", expiresAt: NOW + 9_000 },
    },
    {
      name: "valid, same expiry: not yet due on the server's clock",
      answer: { status: 200, serverTiming: timing("valid"), retryAfter: null, body: session(PREVIOUS) },
      expected: { kind: "early" },
    },
    {
      name: "rejected",
      answer: { status: 200, serverTiming: timing("rejected"), retryAfter: null, body: {} },
      expected: { kind: "signed-out", refused: true },
    },
    {
      name: "no session any more",
      answer: { status: 200, serverTiming: timing("anonymous"), retryAfter: null, body: {} },
      expected: { kind: "signed-out", refused: false },
    },
    {
      name: "401",
      answer: { status: 401, serverTiming: null, retryAfter: null, body: { error: "session_expired" } },
      expected: { kind: "signed-out", refused: true },
    },
    {
      name: "outage, token still good",
      answer: { status: 200, serverTiming: timing("unavailable"), retryAfter: "2", body: session(PREVIOUS) },
      expected: { kind: "unavailable", retryAfterMs: 2000 },
    },
    {
      name: "503",
      answer: { status: 503, serverTiming: timing("unavailable"), retryAfter: "7", body: undefined },
      expected: { kind: "unavailable", retryAfterMs: 7000 },
    },
    {
      name: "a proxy's 502 without timing",
      answer: { status: 502, serverTiming: null, retryAfter: null, body: undefined },
      expected: { kind: "unavailable", retryAfterMs: DEFAULT_RETRY_AFTER_MS },
    },
    {
      name: "200 not through the middleware (matcher misses the path)",
      answer: { status: 200, serverTiming: null, retryAfter: null, body: session(PREVIOUS) },
      expected: { kind: "unavailable", retryAfterMs: DEFAULT_RETRY_AFTER_MS },
    },
    {
      name: "200 that is not JSON",
      answer: { status: 200, serverTiming: timing("valid"), retryAfter: null, body: undefined },
      expected: { kind: "unavailable", retryAfterMs: DEFAULT_RETRY_AFTER_MS },
    },
    {
      name: "a session without an expiry",
      answer: { status: 200, serverTiming: timing("valid"), retryAfter: null, body: { user: {} } },
      expected: { kind: "unavailable", retryAfterMs: DEFAULT_RETRY_AFTER_MS },
    },
  ])("$name", ({ answer, expected }) => {
    expect(readRefreshAheadAnswer(answer, PREVIOUS, NOW)).toEqual(expected);
  });

  it.each([
    { header: null, ms: DEFAULT_RETRY_AFTER_MS },
    { header: "", ms: DEFAULT_RETRY_AFTER_MS },
    { header: "0", ms: 1000 },
    { header: "2", ms: 2000 },
    { header: "86400", ms: MAX_RETRY_AFTER_MS },
    { header: new Date(NOW + 12_000).toUTCString(), ms: 12_000 },
    { header: "soon", ms: DEFAULT_RETRY_AFTER_MS },
    { header: "-3", ms: DEFAULT_RETRY_AFTER_MS },
  ])("Retry-After $header → $ms ms", ({ header, ms }) => {
    expect(retryAfterMs(header, NOW)).toBe(ms);
  });

  it("the shared state after each kind of answer", () => {
    const tried = { expiresAt: PREVIOUS, attempts: 1, lastAttemptAt: NOW, backoffUntil: 0 };
    expect(stateAfter(tried, { kind: "renewed", expiresAt: NOW + 10_000 }, NOW)).toEqual({
      ...EMPTY_STATE,
      expiresAt: NOW + 10_000,
    });
    expect(stateAfter(tried, { kind: "early" }, NOW)).toEqual(tried);
    expect(stateAfter(tried, { kind: "signed-out", refused: true }, NOW)).toEqual({
      ...tried,
      attempts: MAX_ATTEMPTS_PER_EXPIRY,
    });
    expect(stateAfter(tried, { kind: "unavailable", retryAfterMs: 3000 }, NOW)).toEqual({
      ...tried,
      backoffUntil: NOW + 3000,
    });
    // No answer at all: the attempt counts, with a short pause instead of the retry gap (no outage back-off).
    expect(stateAfter(tried, { kind: "lost" }, NOW)).toEqual({ ...tried, lastAttemptAt: 0, backoffUntil: NOW + 250 });
    // A shorter Retry-After never shortens a back-off already running.
    expect(
      stateAfter({ ...tried, backoffUntil: NOW + 9000 }, { kind: "unavailable", retryAfterMs: 3000 }, NOW).backoffUntil,
    ).toBe(NOW + 9000);
  });
});

describe("asking for the renewal", () => {
  const headers = { "server-timing": 'session;desc="refreshed";dur=180', "content-type": "application/json" };
  const fetchAnswering = (response: () => Response) => (async () => response()) as unknown as typeof fetch;

  it("sends the marker and reads a renewal", async () => {
    let sent: RequestInit | undefined;
    const fetchImpl = (async (_path: string, init: RequestInit) => {
      sent = init;
      return new Response(JSON.stringify(session(PREVIOUS + 10_000)), { status: 200, headers });
    }) as unknown as typeof fetch;
    expect(await askForRenewal("/api/auth/session", PREVIOUS, fetchImpl)).toEqual({
      kind: "renewed",
      expiresAt: PREVIOUS + 10_000,
    });
    expect(new Headers(sent!.headers).get("x-session-refresh-ahead")).toBe("1");
    expect(sent!.keepalive).toBe(true);
  });

  it("no answer (a network error, or the page left before the headers came) is lost, not an outage", async () => {
    const failing = (async () => {
      throw new TypeError("Failed to fetch");
    }) as unknown as typeof fetch;
    expect(await askForRenewal("/api/auth/session", PREVIOUS, failing)).toEqual({ kind: "lost" });
  });

  it("a body cut off while it was read (the page left after the headers) is lost, not a 30 s outage", async () => {
    const cutOff = () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.error(new DOMException("The user aborted a request.", "AbortError"));
          },
        }),
        { status: 200, headers },
      );
    expect(await askForRenewal("/api/auth/session", PREVIOUS, fetchAnswering(cutOff))).toEqual({ kind: "lost" });
  });

  it("a body that arrives whole but is not JSON (a proxy's error page) is an outage, by its Retry-After", async () => {
    const page = () =>
      new Response("<html>bad gateway</html>", { status: 200, headers: { ...headers, "retry-after": "5" } });
    expect(await askForRenewal("/api/auth/session", PREVIOUS, fetchAnswering(page))).toEqual({
      kind: "unavailable",
      retryAfterMs: 5000,
    });
  });
});
