import { describe, expect, it } from "vitest";
import { isSessionError, type SessionError } from "../errors";
import { parseSettings } from "../settings";
import { parseLimit, parseSignInSettings } from "./settings";
import type { SettingProblem } from "../setting-problem";

function configProblems(env: Record<string, string>): string[] {
  try {
    parseSettings(env);
  } catch (error) {
    expect(isSessionError(error, "CONFIG_INVALID")).toBe(true);
    return (error as SessionError).problems.map((problem) => problem.setting);
  }
  return [];
}

function parse(env: Record<string, string>) {
  const problems: SettingProblem[] = [];
  return { settings: parseSignInSettings((name) => env[name]?.trim() || undefined, env, problems), problems };
}

describe("sign-in settings", () => {
  it("defaults: 20/min per address, 5/15 min per account and address, 30/15 min per account; no address off Vercel; forwarding on", () => {
    const { settings, problems } = parse({});
    expect(problems).toEqual([]);
    expect(settings.limits).toEqual({
      address: { max: 20, windowMs: 60_000 },
      "account-address": { max: 5, windowMs: 900_000 },
      account: { max: 30, windowMs: 900_000 },
    });
    expect(settings.clientAddress).toBeUndefined();
    expect(settings.forwardClientAddress).toBe(true);
  });

  it("on Vercel the address comes from x-forwarded-for, unless turned off", () => {
    expect(parse({ VERCEL: "1" }).settings.clientAddress).toEqual({ header: "x-forwarded-for", trustedHops: 1 });
    expect(parse({ VERCEL: "1", SIGNIN_CLIENT_IP_HEADER: "off" }).settings.clientAddress).toBeUndefined();
  });

  it("your own proxies: a header name and the hops counted from the right", () => {
    expect(
      parse({ SIGNIN_CLIENT_IP_HEADER: "X-Forwarded-For", SIGNIN_TRUSTED_PROXY_HOPS: "2" }).settings.clientAddress,
    ).toEqual({
      header: "x-forwarded-for",
      trustedHops: 2,
    });
  });

  it.each([
    ["5/15m", { max: 5, windowMs: 900_000 }],
    ["20/60s", { max: 20, windowMs: 60_000 }],
    ["100 / 1h", { max: 100, windowMs: 3_600_000 }],
    ["off", null],
    ["0", null],
  ])("limit %j", (value, expected) => {
    const problems: SettingProblem[] = [];
    expect(parseLimit("X", value, problems)).toEqual(expected);
    expect(problems).toEqual([]);
  });

  it("every bad value is reported, together, through parseSettings", () => {
    expect(
      configProblems({
        SIGNIN_ACCOUNT_LIMIT: "lots",
        SIGNIN_ADDRESS_LIMIT: "5/0s",
        SIGNIN_ACCOUNT_ADDRESS_LIMIT: "5/2d",
        SIGNIN_CLIENT_IP_HEADER: "x forwarded for",
        SIGNIN_TRUSTED_PROXY_HOPS: "0",
        BACKEND_FORWARD_CLIENT_IP: "yes",
        SIGNIN_LIMITS: "maybe",
      }),
    ).toEqual(
      expect.arrayContaining([
        "SIGNIN_ACCOUNT_LIMIT",
        "SIGNIN_ADDRESS_LIMIT",
        "SIGNIN_ACCOUNT_ADDRESS_LIMIT",
        "SIGNIN_CLIENT_IP_HEADER",
        "SIGNIN_TRUSTED_PROXY_HOPS",
        "BACKEND_FORWARD_CLIENT_IP",
        "SIGNIN_LIMITS",
      ]),
    );
    const { problems } = parse({
      SIGNIN_ACCOUNT_LIMIT: "lots",
      SIGNIN_ADDRESS_LIMIT: "5/0s",
      SIGNIN_ACCOUNT_ADDRESS_LIMIT: "5/2d",
      SIGNIN_CLIENT_IP_HEADER: "x forwarded for",
      SIGNIN_TRUSTED_PROXY_HOPS: "0",
      BACKEND_FORWARD_CLIENT_IP: "yes",
      SIGNIN_LIMITS: "maybe",
    });
    expect(problems).toHaveLength(7);
  });

  it("proxy hops without a header is a mistake worth saying", () => {
    expect(parse({ SIGNIN_TRUSTED_PROXY_HOPS: "2" }).problems.map((problem) => problem.setting)).toEqual([
      "SIGNIN_CLIENT_IP_HEADER",
    ]);
  });

  it("parseSettings carries them", () => {
    expect(
      parseSettings({ SIGNIN_CLIENT_IP_HEADER: "x-real-ip", BACKEND_FORWARD_CLIENT_IP: "0" }).signIn,
    ).toMatchObject({
      clientAddress: { header: "x-real-ip", trustedHops: 1 },
      forwardClientAddress: false,
    });
  });
});
