import { describe, expect, it } from "vitest";
import { defaultRefreshAheadMs, refreshWindow } from "../../core/gate/refresh-ahead";
import { readRefreshAheadAnswer, stateAfter, type RefreshAheadAnswer } from "./refresh-ahead-answer";
import {
  settingsFromWindow,
  type RefreshAheadSettings,
  attemptStarted,
  EMPTY_STATE,
  MAX_ATTEMPTS_PER_EXPIRY,
  MAX_TIMER_MS,
  planRefreshAhead,
  refreshAheadCost,
  withKnownExpiry,
  type RefreshAheadPlan,
  type RefreshAheadState,
} from "./refresh-ahead-plan";

const S = 1000;
/** 10 s tokens, skew 4 s, ahead 2 s: the server refreshes a marked request from 6 s left; tabs aim half a second inside, at 5.5 s left. */
const settings = { skewMs: 4 * S, aheadMs: 2 * S };
const EXPIRES = 100 * S;

function plan(
  now: number,
  overrides: Partial<{ expiresAt: number | null; state: RefreshAheadState; visible: boolean }> = {},
): RefreshAheadPlan {
  return planRefreshAhead({ expiresAt: EXPIRES, state: EMPTY_STATE, now, visible: true, settings, ...overrides });
}

describe("when a tab refreshes in the background", () => {
  it.each<{
    name: string;
    now: number;
    input?: Partial<{ expiresAt: number | null; state: RefreshAheadState; visible: boolean }>;
    expected: RefreshAheadPlan;
  }>([
    { name: "no session", now: 0, input: { expiresAt: null }, expected: { kind: "idle", reason: "no-session" } },
    { name: "long before: wait until 5.5 s before expiry", now: 90 * S, expected: { kind: "wait", delayMs: 4.5 * S } },
    { name: "at the aim", now: 94.5 * S, expected: { kind: "fire" } },
    { name: "later in the window, token still valid", now: 99.5 * S, expected: { kind: "fire" } },
    {
      name: "hidden tab, in the window",
      now: 96 * S,
      input: { visible: false },
      expected: { kind: "idle", reason: "hidden" },
    },
    { name: "hidden tab, early", now: 10 * S, input: { visible: false }, expected: { kind: "idle", reason: "hidden" } },
    { name: "woke after expiry", now: 100 * S, expected: { kind: "idle", reason: "expired" } },
    { name: "woke long after expiry", now: 5000 * S, expected: { kind: "idle", reason: "expired" } },
    {
      name: "far future expiry: a capped timer",
      now: 0,
      input: { expiresAt: 3600 * S },
      expected: { kind: "wait", delayMs: MAX_TIMER_MS },
    },
    {
      name: "another tab already renewed: plan on the newer expiry",
      now: 96 * S,
      input: { state: { ...EMPTY_STATE, expiresAt: 110 * S } },
      expected: { kind: "wait", delayMs: 8.5 * S },
    },
    {
      name: "one attempt on this expiry at 95 s: the next one no sooner than 1 s later",
      now: 95.5 * S,
      input: { state: { expiresAt: EXPIRES, attempts: 1, lastAttemptAt: 95 * S, backoffUntil: 0 } },
      expected: { kind: "wait", delayMs: 0.5 * S },
    },
    {
      name: "attempts used up on this expiry",
      now: 98 * S,
      input: {
        state: { expiresAt: EXPIRES, attempts: MAX_ATTEMPTS_PER_EXPIRY, lastAttemptAt: 97 * S, backoffUntil: 0 },
      },
      expected: { kind: "idle", reason: "gave-up" },
    },
    {
      name: "attempts on an older expiry do not count",
      now: 95 * S,
      input: {
        state: { expiresAt: 90 * S, attempts: MAX_ATTEMPTS_PER_EXPIRY, lastAttemptAt: 86 * S, backoffUntil: 0 },
      },
      expected: { kind: "fire" },
    },
    {
      name: "backing off after an outage",
      now: 95 * S,
      input: { state: { expiresAt: EXPIRES, attempts: 1, lastAttemptAt: 95 * S, backoffUntil: 97 * S } },
      expected: { kind: "wait", delayMs: 2 * S },
    },
    {
      name: "a Retry-After past the expiry: nothing more ahead, the next navigation refreshes",
      now: 95 * S,
      input: { state: { expiresAt: EXPIRES, attempts: 1, lastAttemptAt: 95 * S, backoffUntil: 130 * S } },
      expected: { kind: "idle", reason: "expired" },
    },
  ])("$name", ({ now, input, expected }) => {
    expect(plan(now, input)).toEqual(expected);
  });
});

/**
 * A tab's life on an injected clock: it follows its plan (sleeping `delayMs`, firing, taking the server's
 * answer) until it goes idle or `until`. Returns the moments it fired.
 */
function simulate(
  answerAt: (now: number, expiresAt: number) => RefreshAheadAnswer,
  from: number,
  until: number,
  expiresAt0 = EXPIRES,
): { fired: number[]; state: RefreshAheadState } {
  let now = from;
  let state = EMPTY_STATE;
  const fired: number[] = [];
  for (let step = 0; step < 10_000 && now < until; step += 1) {
    const next = planRefreshAhead({ expiresAt: expiresAt0, state, now, visible: true, settings });
    if (next.kind === "idle") break;
    if (next.kind === "wait") {
      now += next.delayMs;
      continue;
    }
    fired.push(now);
    const known = Math.max(expiresAt0, state.expiresAt ?? 0);
    state = attemptStarted(state, known, now);
    state = stateAfter(state, answerAt(now, known), now);
  }
  return { fired, state };
}

describe("what a tab's session tells the shared state", () => {
  it("a newer expiry starts afresh and keeps an outage's back-off; the same or an older one changes nothing", () => {
    const tried = { expiresAt: EXPIRES, attempts: 2, lastAttemptAt: 96 * S, backoffUntil: 98 * S };
    expect(withKnownExpiry(tried, EXPIRES + 10 * S)).toEqual({
      expiresAt: EXPIRES + 10 * S,
      attempts: 0,
      lastAttemptAt: 0,
      backoffUntil: 98 * S,
    });
    expect(withKnownExpiry(tried, EXPIRES)).toBe(tried);
    expect(withKnownExpiry(tried, EXPIRES - 1)).toBe(tried);
    expect(withKnownExpiry(EMPTY_STATE, EXPIRES)).toEqual({ ...EMPTY_STATE, expiresAt: EXPIRES });
  });
});

describe("no loop, no storm", () => {
  it("a server that keeps saying `not yet` (a clock far off) gets at most 3 requests per expiry, 1 s apart", () => {
    const { fired } = simulate(() => ({ kind: "early" }), 0, 200 * S);
    expect(fired).toEqual([94.5 * S, 95.5 * S, 96.5 * S]);
  });

  it("an outage with Retry-After 2 s: the next attempt waits 2 s, and it stops at the expiry", () => {
    const { fired } = simulate(
      (now) =>
        readRefreshAheadAnswer(
          { status: 503, serverTiming: 'session;desc="unavailable";dur=3', retryAfter: "2", body: undefined },
          EXPIRES,
          now,
        ),
      0,
      200 * S,
    );
    expect(fired).toEqual([94.5 * S, 96.5 * S, 98.5 * S]);
  });

  it("an outage with a long Retry-After: one attempt, then nothing until the next navigation", () => {
    const { fired } = simulate(() => ({ kind: "unavailable", retryAfterMs: 30 * S }), 0, 200 * S);
    expect(fired).toEqual([94.5 * S]);
  });

  it("no answer at all (a page left mid-request, offline): no outage back-off, the next try 250 ms later, still at most 3 per expiry", () => {
    const { fired } = simulate(() => ({ kind: "lost" }), 0, 200 * S);
    expect(fired).toEqual([94.5 * S, 94.75 * S, 95 * S]);
    // The page loaded right after a click finds the gap short: it tries at once, not after the 1 s retry gap.
    const lost = stateAfter(
      attemptStarted({ ...EMPTY_STATE, expiresAt: EXPIRES }, EXPIRES, 95 * S),
      { kind: "lost" },
      95.1 * S,
    );
    expect(plan(95.35 * S, { state: lost })).toEqual({ kind: "fire" });
  });

  it("a refusal: one attempt, then nothing on that expiry", () => {
    const { fired } = simulate(() => ({ kind: "signed-out", refused: true }), 0, 200 * S);
    expect(fired).toEqual([94.5 * S]);
  });

  it("a laptop that wakes after the expiry makes no request", () => {
    expect(simulate(() => ({ kind: "early" }), 100 * S, 200 * S).fired).toEqual([]);
  });

  it("renewals: one request per token lifetime (10 s tokens, an hour)", () => {
    // The server renews from its ahead window; the tab follows the new expiry each time.
    let expiresAt = EXPIRES;
    let now = 0;
    let state = EMPTY_STATE;
    let requests = 0;
    while (now < 3600 * S) {
      const next = planRefreshAhead({ expiresAt, state, now, visible: true, settings });
      if (next.kind === "idle") throw new Error(`went idle: ${next.reason}`);
      if (next.kind === "wait") {
        now += next.delayMs;
        continue;
      }
      requests += 1;
      state = attemptStarted(state, expiresAt, now);
      expiresAt = now + 10 * S;
      state = stateAfter(state, { kind: "renewed", expiresAt }, now);
    }
    // Each renewal at 5.5 s left of a 10 s token: one every 4.5 s, from 94.5 s to the hour's end (94.5 + 4.5k < 3600).
    expect(requests).toBe(779);
  });
});

describe("the window the session states", () => {
  it("is read as this token's skew and ahead window, and refused when absent or impossible", () => {
    expect(settingsFromWindow(100 * S, 92.5 * S, 95 * S)).toEqual({ skewMs: 5 * S, aheadMs: 2.5 * S });
    expect(settingsFromWindow(100 * S, undefined, 95 * S)).toBeNull();
    expect(settingsFromWindow(100 * S, 96 * S, 95 * S)).toBeNull();
    expect(settingsFromWindow(100 * S, 92 * S, 101 * S)).toBeNull();
    expect(settingsFromWindow(Number.NaN, 92 * S, 95 * S)).toBeNull();
  });

  it("10 s tokens with the default 30 s skew: the stated window (due from 5 s left, ahead from 6 s) is hit at once; the nominal settings fired too early and gave up", () => {
    // The server: a marked request refreshes from 6 s before expiry; before that it answers "not yet".
    const server = (now: number, expiresAt: number): RefreshAheadAnswer =>
      now >= expiresAt - 6 * S ? { kind: "renewed", expiresAt: now + 10 * S } : { kind: "early" };
    const run = (tab: RefreshAheadSettings) => {
      let state = EMPTY_STATE;
      let now = EXPIRES - 10 * S;
      const answers: string[] = [];
      for (let step = 0; step < 20 && now < EXPIRES; step++) {
        const next = planRefreshAhead({ expiresAt: EXPIRES, state, now, visible: true, settings: tab });
        if (next.kind === "idle") break;
        if (next.kind === "wait") {
          now += next.delayMs;
          continue;
        }
        state = attemptStarted(state, EXPIRES, now);
        const answer = server(now, EXPIRES);
        answers.push(`${answer.kind} at ${(EXPIRES - now) / S} s left`);
        state = stateAfter(state, answer, now);
        if (answer.kind === "renewed") break;
      }
      return answers;
    };
    expect(run(settingsFromWindow(EXPIRES, EXPIRES - 6 * S, EXPIRES - 5 * S)!)).toEqual(["renewed at 5.75 s left"]);
    // What the tab did with only the nominal 30 s skew and ahead: asked at once, was told "not yet", and its
    // next try (15 s later) fell past the expiry.
    expect(run({ skewMs: 30 * S, aheadMs: 30 * S })).toEqual(["early at 10 s left"]);
  });
});

describe("what refreshing ahead costs in backend refreshes", () => {
  /** The tab's cost for tokens of `lifetimeMs`, from the window the gate states for a fresh one (its own thresholds). */
  const costAt = (lifetimeMs: number, skewMs: number, aheadMs = defaultRefreshAheadMs(skewMs)) => {
    const stated = refreshWindow({ accessTokenExpires: lifetimeMs, accessTokenReceivedAt: 0 }, skewMs, aheadMs);
    return refreshAheadCost(lifetimeMs, settingsFromWindow(lifetimeMs, stated.aheadFrom, stated.dueFrom)!);
  };

  it("at the defaults (5-minute tokens, SESSION_REFRESH_SKEW_SECONDS=30, the gate's default ahead window): at most 5% more than without it", () => {
    const cost = costAt(300 * S, 30 * S);
    // Without refresh ahead a token is used until the skew window (270 s). The gate honours a marked request
    // from 42.857 s left (its ahead window capped by the cost), and the tab aims 1 s inside that: each token
    // used 258.143 s, 4.6% more refreshes (it aimed at 59 s left before: 12.0%).
    expect(cost.replacedWithMsLeft).toBe(41_857);
    expect(cost.overhead).toBeLessThanOrEqual(0.05);
  });

  it("is the share of a token's useful life given up: (lifetime − skew) / (lifetime − lead) − 1", () => {
    // 10 s tokens, skew 4 s, ahead 2 s: replaced at 5.5 s left where the skew window opens at 4 s left, so
    // each token is used 4.5 s of the 6 s it could be: a third more refreshes.
    const cost = refreshAheadCost(10 * S, settings);
    expect(cost.replacedWithMsLeft).toBe(5.5 * S);
    expect(cost.overhead).toBeCloseTo(1 / 3, 9);
    // No ahead window: replaced where the skew window opens, nothing extra.
    expect(refreshAheadCost(10 * S, { skewMs: 4 * S, aheadMs: 0 }).overhead).toBe(0);
  });
});
