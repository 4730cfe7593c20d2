// Accounts from a CSV (RFC 4180 quoting) or the environment.
import { describe, expect, it } from "vitest";
import { accountFromEnv, accountsFromCsv, parseCsv } from "./accounts";

describe("parseCsv", () => {
  it.each([
    [
      "a,b\n1,2\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      "a,b\r\n1,2",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    [
      'a,"b, c"\n"x ""y""",z',
      [
        ["a", "b, c"],
        ['x "y"', "z"],
      ],
    ],
    ['"multi\nline",1', [["multi\nline", "1"]]],
    [
      "\uFEFFa,b\n\n1,2\n\n",
      [
        ["a", "b"],
        ["1", "2"],
      ],
    ],
    ["a,,c", [["a", "", "c"]]],
  ])("%j", (text, rows) => expect(parseCsv(text)).toEqual(rows));
});

describe("accountsFromCsv", () => {
  it("reads the identifier and password columns by name, in any order, ignoring others", () => {
    expect(accountsFromCsv('name,Password,identifier\nAnn,"p,1",ann@x\nBob,p2, bob@x \n')).toEqual({
      accounts: [
        { identifier: "ann@x", password: "p,1" },
        { identifier: "bob@x", password: "p2" },
      ],
    });
  });

  it.each([
    ["", 1],
    ["email,password\na,b", 1],
    ["identifier,password\n", 1],
    ["identifier,password\na,\n,b", 2],
  ])("%j has %i problems", (text, count) => {
    const parsed = accountsFromCsv(text);
    expect("problems" in parsed && parsed.problems).toHaveLength(count);
  });
});

describe("accountFromEnv", () => {
  it("needs both variables", () => {
    expect(accountFromEnv({ LOADTEST_IDENTIFIER: "a", LOADTEST_PASSWORD: "b" })).toEqual({
      identifier: "a",
      password: "b",
    });
    expect(accountFromEnv({ LOADTEST_IDENTIFIER: "a" })).toBeNull();
    expect(accountFromEnv({ LOADTEST_PASSWORD: "b" })).toBeNull();
  });
});
