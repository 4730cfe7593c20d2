/** The policy around the limiters: order, which keys, success clearing, unknown addresses, store failure, log lines. */
import { describe, expect, it } from "vitest";
import type { Clock } from "../clock";
import type { AttemptLimiter, LimitRule } from "./attempt-limiter";
import { createKeyedHash } from "./keyed-hash";
import { createMemoryAttemptLimiter } from "../../stores/memory-limiter";
import { parseSignInSettings, type LimitName, type SignInSettings } from "./settings";
import { createSignInLimits, retryAfterMinutes, signInLimitsNotes, type SignInEvent } from "./sign-in-limits";
import type { SettingProblem } from "../setting-problem";

const START = 900_000 * 1000;

function settings(env: Record<string, string> = {}): SignInSettings {
  const problems: SettingProblem[] = [];
  const parsed = parseSignInSettings((name) => env[name], env, problems);
  expect(problems).toEqual([]);
  return parsed;
}

const HEADER = { SIGNIN_CLIENT_IP_HEADER: "x-forwarded-for" };

function setup(options: { env?: Record<string, string>; failing?: ReadonlySet<LimitName> } = {}) {
  let now = START;
  const clock: Clock = { now: () => now, sleep: async () => {} };
  const events: SignInEvent[] = [];
  const storeKeys: string[] = [];
  const failing = options.failing ?? new Set<LimitName>();
  const sharedLimiter = (name: LimitName, rule: LimitRule): AttemptLimiter => {
    const inner = createMemoryAttemptLimiter(rule, clock);
    return {
      async take(key) {
        storeKeys.push(key);
        if (failing.has(name)) throw new Error("store down");
        return inner.take(key);
      },
      clear: (key) => inner.clear(key),
    };
  };
  const limits = createSignInLimits({
    settings: settings({ ...HEADER, ...options.env }),
    sharedLimiter,
    sharedIsLocal: false,
    hash: createKeyedHash("a-secret-for-tests-that-is-long-enough"),
    clock,
    onEvent: (event) => events.push(event),
  });
  return { limits, events, storeKeys, advance: (ms: number) => (now += ms) };
}

async function attempts(
  limits: ReturnType<typeof setup>["limits"],
  count: number,
  identifier: string,
  address: string | null,
) {
  const results = [];
  for (let i = 0; i < count; i++) results.push(await limits.check({ identifier, address }));
  return results;
}

describe("sign-in limits", () => {
  it("one account from one address: 5 attempts in 15 minutes, then refused for the rest of the window", async () => {
    const { limits } = setup();
    const results = await attempts(limits, 8, "alice@example.com", "203.0.113.7");
    expect(results.map((r) => r.kind)).toEqual([
      "allowed",
      "allowed",
      "allowed",
      "allowed",
      "allowed",
      "limited",
      "limited",
      "limited",
    ]);
    const limited = results[5]!;
    expect(limited.kind === "limited" && limited.limit).toBe("account-address");
    expect(limited.kind === "limited" && retryAfterMinutes(limited.retryAfterMs)).toBe(15);
  });

  it("counts one account however it is written (case, surrounding space, NFKC)", async () => {
    const { limits } = setup();
    for (const written of [
      "Alice@Example.com ",
      " alice@example.com",
      "ALICE@EXAMPLE.COM",
      "ａｌｉｃｅ@example.com",
      "alice@example.com",
    ]) {
      expect((await limits.check({ identifier: written, address: "203.0.113.7" })).kind).toBe("allowed");
    }
    expect((await limits.check({ identifier: "alice@example.com", address: "203.0.113.7" })).kind).toBe("limited");
  });

  it("a success clears the account-and-address counter", async () => {
    const { limits } = setup();
    const results = await attempts(limits, 4, "bob@example.com", "203.0.113.7");
    const last = results[3]!;
    if (last.kind !== "allowed") throw new Error("expected allowed");
    await last.succeeded();
    expect((await attempts(limits, 5, "bob@example.com", "203.0.113.7")).every((r) => r.kind === "allowed")).toBe(true);
  });

  it("spraying many accounts from one address: 20 a minute, then the address is refused", async () => {
    const { limits, advance } = setup();
    const results = [];
    for (let i = 0; i < 40; i++)
      results.push(await limits.check({ identifier: `user${i}@example.com`, address: "198.51.100.9" }));
    expect(results.filter((r) => r.kind === "allowed")).toHaveLength(20);
    expect(results.slice(20).every((r) => r.kind === "limited" && r.limit === "address")).toBe(true);
    advance(60_001);
    expect((await limits.check({ identifier: "user99@example.com", address: "198.51.100.9" })).kind).toBe("allowed");
  });

  it("an address refused does not use up the account's ceiling: the real person elsewhere still gets in", async () => {
    const { limits } = setup();
    await attempts(limits, 30, "carol@example.com", "203.0.113.66");
    const person = await limits.check({ identifier: "carol@example.com", address: "192.0.2.10" });
    expect(person.kind).toBe("allowed");
  });

  it("a guesser spread over many addresses meets the account ceiling (30 in 15 minutes)", async () => {
    const { limits } = setup();
    const results = [];
    for (let i = 0; i < 40; i++)
      results.push(await limits.check({ identifier: "dave@example.com", address: `203.0.113.${i}` }));
    expect(results.filter((r) => r.kind === "allowed")).toHaveLength(30);
    expect(results.at(-1)).toMatchObject({ kind: "limited", limit: "account" });
  });

  it("IPv6 addresses count by /64: a fresh address from the same network is the same attacker", async () => {
    const { limits } = setup();
    const results = [];
    for (let i = 1; i <= 6; i++)
      results.push(
        await limits.check({ identifier: "erin@example.com", address: `2001:0db8:0000:0001:0000:0000:0000:000${i}` }),
      );
    expect(results.at(-1)).toMatchObject({ kind: "limited", limit: "account-address" });
  });

  it("without an address only the account ceiling applies", async () => {
    const { limits, storeKeys } = setup({ env: { SIGNIN_CLIENT_IP_HEADER: "off" } });
    const results = await attempts(limits, 31, "frank@example.com", null);
    expect(results.filter((r) => r.kind === "allowed")).toHaveLength(30);
    expect(new Set(storeKeys).size).toBe(1);
  });

  it("each limit can be turned off, and all at once", async () => {
    const off = setup({ env: { SIGNIN_ACCOUNT_ADDRESS_LIMIT: "off", SIGNIN_ADDRESS_LIMIT: "0" } });
    expect((await attempts(off.limits, 30, "gina@example.com", "203.0.113.7")).every((r) => r.kind === "allowed")).toBe(
      true,
    );
    const none = setup({ env: { SIGNIN_LIMITS: "off" } });
    expect(
      (await attempts(none.limits, 100, "gina@example.com", "203.0.113.7")).every((r) => r.kind === "allowed"),
    ).toBe(true);
    expect(none.storeKeys).toEqual([]);
  });

  it("the store sees keyed hashes only, and a limited attempt logs one line without identifier or address", async () => {
    const { limits, events, storeKeys } = setup();
    await attempts(limits, 6, "Hidden.Person@example.com", "203.0.113.77");
    const everything = JSON.stringify({ storeKeys, events });
    for (const secret of ["hidden", "person", "example", "203.0.113", "113.77"])
      expect(everything.toLowerCase()).not.toContain(secret);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      event: "signin-limited",
      limit: "account-address",
      retryAfterSeconds: 900,
      counters: "shared",
    });
  });

  it("the same identifier is the same key under the same secret, another key under another", async () => {
    const a = await createKeyedHash("secret-one-secret-one-secret-one-1").of("account", "x");
    expect(await createKeyedHash("secret-one-secret-one-secret-one-1").of("account", "x")).toBe(a);
    expect(await createKeyedHash("secret-two-secret-two-secret-two-2").of("account", "x")).not.toBe(a);
    expect(await createKeyedHash("secret-one-secret-one-secret-one-1").of("address", "x")).not.toBe(a);
  });

  it("store failure: each limit falls back to this instance's counters, still limits, and says so once per attempt", async () => {
    const { limits, events } = setup({ failing: new Set<LimitName>(["address", "account-address", "account"]) });
    const results = await attempts(limits, 7, "henry@example.com", "203.0.113.7");
    expect(results.map((r) => r.kind)).toEqual([
      "allowed",
      "allowed",
      "allowed",
      "allowed",
      "allowed",
      "limited",
      "limited",
    ]);
    const failures = events.filter((e) => e.event === "signin-store-failed");
    expect(failures).toHaveLength(7);
    expect(
      events
        .filter((e) => e.event === "signin-limited")
        .every((e) => e.event === "signin-limited" && e.counters === "local"),
    ).toBe(true);
  });

  it("store failure on a later limit: the earlier shared counts stand, the rest go local", async () => {
    const { limits, events } = setup({ failing: new Set<LimitName>(["account"]) });
    expect((await limits.check({ identifier: "ivy@example.com", address: "203.0.113.7" })).kind).toBe("allowed");
    expect(events).toMatchObject([{ event: "signin-store-failed", limit: "account", action: "local-counters" }]);
  });
});

describe("start-up notes", () => {
  it("says when the address is unknown, and when everything is off", () => {
    expect(signInLimitsNotes(settings({}))).toEqual([expect.stringContaining("SIGNIN_CLIENT_IP_HEADER is not set")]);
    expect(signInLimitsNotes(settings({}))[0]).toContain("30 attempts per 15 min");
    expect(signInLimitsNotes(settings(HEADER))).toEqual([]);
    expect(signInLimitsNotes(settings({ VERCEL: "1" }))).toEqual([]);
    expect(signInLimitsNotes(settings({ SIGNIN_LIMITS: "off" }))).toEqual([expect.stringContaining("all turned off")]);
  });
});
