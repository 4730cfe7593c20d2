/**
 * The store failing during sign-in, for real: @upstash/ratelimit through the Upstash-REST bridge over a real
 * Redis, with the bridge's injected faults (a 5xx answer, a refused connection). Every limit falls back to
 * this instance's counters: guessing is still limited, nobody is locked out by the outage, and each attempt
 * says so in one line.
 */
import { describe, expect, it } from "vitest";
import type { BridgeFault, RedisRestBridge } from "../../../../../dev/redis-rest/bridge";
import { bridgedRedisForFile } from "../../../../../test-support/bridged-redis";
import { systemClock } from "../clock";
import { createKeyedHash } from "./keyed-hash";
import { SIGNIN_KEY_PREFIX, signInLimitersFor } from "../../stores/sign-in-limiters";
import { parseSignInSettings } from "./settings";
import { createSignInLimits, type SignInEvent } from "./sign-in-limits";
import type { SettingProblem } from "../setting-problem";

const TOKEN = "signin-store-failure-token";
const servers = bridgedRedisForFile({ token: TOKEN, keyPrefix: SIGNIN_KEY_PREFIX });

function limitsOverBridge() {
  const events: SignInEvent[] = [];
  const problems: SettingProblem[] = [];
  const settings = parseSignInSettings((name) => ({ SIGNIN_CLIENT_IP_HEADER: "x-forwarded-for" })[name], {}, problems);
  const chosen = signInLimitersFor(
    { kind: "upstash", url: servers.bridge.url, token: TOKEN },
    { clock: systemClock, production: false },
  );
  const limits = createSignInLimits({
    settings,
    sharedLimiter: chosen.limiterFor,
    sharedIsLocal: chosen.local,
    hash: createKeyedHash(`store-failure-secret-${crypto.randomUUID()}`),
    clock: systemClock,
    onEvent: (e) => events.push(e),
  });
  return { limits, events };
}

describe.each<[BridgeFault, Parameters<RedisRestBridge["setFault"]>[1]]>([
  ["server-error", { status: 502 }],
  ["refuse", undefined],
])("the store answers %s", (fault, options) => {
  it("guessing is still limited on this instance's counters, the real person still gets in, each attempt says so", async () => {
    const { limits, events } = limitsOverBridge();
    // Warm: the shared store works, one attempt counted there.
    expect((await limits.check({ identifier: "pat@example.com", address: "203.0.113.5" })).kind).toBe("allowed");
    await servers.bridge.setFault(fault, options);
    const verdicts = [];
    for (let i = 0; i < 6; i++)
      verdicts.push((await limits.check({ identifier: "pat@example.com", address: "203.0.113.5" })).kind);
    // Five in local memory (the one shared attempt is out of reach), then refused.
    expect(verdicts).toEqual(["allowed", "allowed", "allowed", "allowed", "allowed", "limited"]);
    expect((await limits.check({ identifier: "pat@example.com", address: "192.0.2.8" })).kind).toBe("allowed");
    const failed = events.filter((e) => e.event === "signin-store-failed");
    // One line per attempt: after the first limit fails, the others go local without asking the store again.
    expect(failed).toHaveLength(7);
    expect(events.find((e) => e.event === "signin-limited")).toMatchObject({
      limit: "account-address",
      counters: "local",
    });
  });
});
