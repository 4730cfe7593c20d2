// The summary's verdicts: refreshes per account and expiry, thresholds, and the sentence a person reads.
import { describe, expect, it } from "vitest";
import { summarizeRun, type SummaryInput } from "./summary";
import { parseThreshold, withDefaults, type Threshold } from "./thresholds";
import type { Outcome, Sample, Verdict } from "./types";

function sample(account: number, expiry: number, outcome: Outcome, verdict: Verdict = "served", ms = 10): Sample {
  return {
    account,
    tab: 0,
    target: 0,
    phase: "storm",
    expiry,
    path: "/",
    startMs: 0,
    endMs: ms,
    status: verdict === "served" ? 200 : 401,
    verdict,
    outcome,
    middlewareMs: null,
    ok: verdict === "served",
  };
}

function input(samples: Sample[], overrides: Partial<SummaryInput> = {}): SummaryInput {
  return {
    scenario: "storm",
    targets: ["http://127.0.0.1:3000/"],
    accountsGiven: 2,
    accountsSignedIn: 2,
    signInFailures: 0,
    waves: 2,
    tabs: 2,
    samples,
    signedOutPerExpiry: [0, 0],
    signedOutAccounts: 0,
    thresholds: withDefaults([]),
    backend: null,
    durationMs: 1000,
    startedAt: new Date(0),
    finishedAt: new Date(1000),
    incomplete: null,
    ...overrides,
  };
}

describe("summarizeRun", () => {
  it("holds with one refresh per account and expiry", () => {
    const summary = summarizeRun(
      input([
        sample(0, 1, "refreshed"),
        sample(0, 1, "joined"),
        sample(1, 1, "refreshed"),
        sample(1, 1, "joined"),
        sample(0, 2, "refreshed"),
        sample(1, 2, "refreshed"),
      ]),
    );
    expect(summary.refreshedPerExpiry).toEqual([
      [1, 1],
      [1, 1],
    ]);
    expect(summary.pass).toBe(true);
    expect(summary.sentence).toContain("0 of 2 accounts were signed out at their first expiry");
  });

  it("fails on two refreshes of one session at one expiry", () => {
    const summary = summarizeRun(
      input([sample(0, 1, "refreshed"), sample(0, 1, "refreshed"), sample(1, 1, "refreshed")]),
    );
    expect(summary.refreshedPerExpiry).toEqual([[2], [1]]);
    expect(summary.thresholds.find((threshold) => threshold.metric === "refreshedPerExpiry")).toMatchObject({
      actual: 2,
      holds: false,
    });
    expect(summary.pass).toBe(false);
  });

  it("an app without Server-Timing: refreshes are null, sign-outs still fail the run", () => {
    const summary = summarizeRun(
      input([sample(0, 1, "none", "signed-out"), sample(1, 1, "none")], {
        signedOutPerExpiry: [1],
        signedOutAccounts: 1,
        waves: 1,
      }),
    );
    expect(summary.refreshedPerExpiry).toBeNull();
    expect(summary).toMatchObject({ pass: false, signedOut: 1, served: 1, signedOutResponses: 1 });
    expect(summary.sentence).toContain("1 of 2 accounts was signed out at their first expiry");
  });

  it("thresholds given replace the defaults and decide", () => {
    const given = ["served>=0.5", "p95<5"].map((text) => parseThreshold(text) as Threshold);
    const summary = summarizeRun(
      input([sample(0, 1, "none", "signed-out", 3), sample(1, 1, "none", "served", 4)], {
        thresholds: withDefaults(given),
        signedOutAccounts: 0,
      }),
    );
    expect(summary.thresholds.map((threshold) => [threshold.expression, threshold.holds])).toEqual([
      ["signedOut==0", true],
      ["refreshedPerExpiry<=1", true],
      ["signInFailures==0", true],
      ["served>=0.5", true],
      ["p95<5", true],
    ]);
    expect(summary.pass).toBe(true);
  });

  it("a run cut short does not pass", () => {
    expect(summarizeRun(input([sample(0, 1, "refreshed")], { incomplete: "deadline reached" })).pass).toBe(false);
  });

  it("browse: an expiry is a session cookie a refresh was contended for", () => {
    const browse = [
      sample(0, 1, "valid"),
      sample(0, 2, "refreshed"),
      sample(0, 2, "joined"),
      sample(0, 3, "valid"),
      sample(0, 4, "replayed"),
    ];
    const summary = summarizeRun(
      input(browse, { scenario: "browse", accountsGiven: 1, accountsSignedIn: 1, waves: 0 }),
    );
    expect(summary.refreshedPerExpiry).toEqual([[1, 0]]);
  });
});

describe("parseThreshold", () => {
  it.each(["p95<2000", "served>=0.99", "signedOut==0", " max <= 10 "])("%s parses", (text) =>
    expect("metric" in parseThreshold(text)).toBe(true),
  );
  it.each(["p95", "p95<abc", "latency<3", "served=>1"])("%s is refused", (text) =>
    expect("problem" in parseThreshold(text)).toBe(true),
  );
});
