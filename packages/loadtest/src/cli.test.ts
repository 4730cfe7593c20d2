// The command line: defaults, every problem at once, and the safety rules for targets not on this machine.
import { describe, expect, it } from "vitest";
import { isLocal, loadProblems, parseCli, SIGN_OUT_FLAG, UsageError } from "./cli";

const BASE = ["--target", "http://127.0.0.1:3000", "--path", "/dashboard"];

function problems(argv: string[]): readonly string[] {
  try {
    parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError) return error.problems;
    throw error;
  }
  return [];
}

describe("parseCli", () => {
  it("defaults: a storm of 5 tabs, 2 waves, next-auth's usual places, the default thresholds", () => {
    expect(parseCli(BASE)).toMatchObject({
      targets: ["http://127.0.0.1:3000"],
      scenario: "storm",
      tabs: 5,
      waves: 2,
      provider: "credentials",
      identifierField: "identifier",
      authPath: "/api/auth",
      signInPaths: ["/login", "/api/auth/signin"],
      expiryWaitSeconds: null,
      late: true,
    });
    expect(parseCli(BASE).thresholds.map((threshold) => threshold.expression)).toEqual([
      "served>=1",
      "signedOut==0",
      "refreshedPerExpiry<=1",
      "signInFailures==0",
    ]);
  });

  it("repeats --target, --path, --header and --threshold; a threshold replaces its metric's default", () => {
    const options = parseCli([
      ...BASE,
      "--target",
      "http://localhost:3001/",
      "--path",
      "/api/profile",
      "--header",
      "x-vercel-protection-bypass: abc",
      "--header",
      "Authorization: Basic dTpw",
      "--threshold",
      "served>=0.99",
      "--threshold",
      "p95<2000",
      "--auth-path",
      "/app/api/auth/",
    ]);
    expect(options.targets).toEqual(["http://127.0.0.1:3000", "http://localhost:3001"]);
    expect(options.paths).toEqual(["/dashboard", "/api/profile"]);
    expect(options.headers).toEqual({ "x-vercel-protection-bypass": "abc", authorization: "Basic dTpw" });
    expect(options.thresholds.map((threshold) => threshold.expression)).toEqual([
      "signedOut==0",
      "refreshedPerExpiry<=1",
      "signInFailures==0",
      "served>=0.99",
      "p95<2000",
    ]);
    expect(options.signInPaths).toEqual(["/login", "/app/api/auth/signin"]);
  });

  it("reports every problem at once, naming the option", () => {
    const found = problems([
      "--target",
      "ftp://x",
      "--tabs",
      "0",
      "--threshold",
      "p95 < soon",
      "--header",
      "cookie: a=b",
      "--scenario",
      "soak",
    ]);
    expect(found).toHaveLength(6);
    for (const name of ["--target", "--path", "--tabs", "--threshold", "--header", "--scenario"])
      expect(found.some((problem) => problem.includes(name))).toBe(true);
  });

  it("keeps storm and browse options apart", () => {
    expect(problems([...BASE, "--duration", "10"])).toHaveLength(1);
    expect(problems([...BASE, "--scenario", "browse", "--expiry-wait", "10"])).toHaveLength(1);
    expect(
      parseCli([...BASE, "--scenario", "browse", "--duration", "10", "--rate", "2.5", "--refresh-ahead"]),
    ).toMatchObject({
      scenario: "browse",
      tabs: 2,
      durationSeconds: 10,
      rate: 2.5,
      refreshAhead: true,
    });
  });
});

describe("safety against targets not on this machine", () => {
  const remote = ["--target", "https://staging.example.com", "--path", "/dashboard"];

  it.each([
    ["http://localhost:3000", true],
    ["http://app.localhost", true],
    ["http://127.0.0.2:3000", true],
    ["http://[::1]:3000", true],
    ["https://staging.example.com", false],
    ["http://10.0.0.5", false],
  ])("%s is local: %s", (url, local) => expect(isLocal(url)).toBe(local));

  it("a storm needs the sign-out flag; a one-tab browse does not", () => {
    expect(problems(remote).some((problem) => problem.includes(SIGN_OUT_FLAG))).toBe(true);
    expect(problems([...remote, `--${SIGN_OUT_FLAG}`])).toEqual([]);
    expect(problems([...remote, "--scenario", "browse", "--tabs", "1"])).toEqual([]);
    expect(problems([...remote, "--scenario", "browse", "--tabs", "1", "--refresh-ahead"])).toHaveLength(1);
    expect(problems([...remote, "--scenario", "browse"])).toHaveLength(1);
  });

  it("plain http needs --allow-insecure-http; credentials in the URL are refused", () => {
    expect(
      problems(["--target", "http://staging.example.com", "--path", "/", `--${SIGN_OUT_FLAG}`]).some((p) =>
        p.includes("--allow-insecure-http"),
      ),
    ).toBe(true);
    expect(
      problems([
        "--target",
        "http://staging.example.com",
        "--path",
        "/",
        `--${SIGN_OUT_FLAG}`,
        "--allow-insecure-http",
      ]),
    ).toEqual([]);
    expect(problems(["--target", "https://u:p@staging.example.com", "--path", "/", `--${SIGN_OUT_FLAG}`])).toHaveLength(
      1,
    );
  });

  it("high load needs --allow-high-load there, never locally", () => {
    const storm = parseCli([...remote, `--${SIGN_OUT_FLAG}`, "--tabs", "50"]);
    expect(loadProblems(storm, 4)).toEqual([]);
    expect(loadProblems(storm, 5)).toHaveLength(1);
    expect(loadProblems(parseCli([...remote, `--${SIGN_OUT_FLAG}`, "--tabs", "50", "--allow-high-load"]), 5)).toEqual(
      [],
    );
    expect(loadProblems(parseCli([...BASE, "--tabs", "50"]), 100)).toEqual([]);
    expect(loadProblems(parseCli([...BASE, "--tabs", "1000"]), 100)).toHaveLength(1);
    expect(loadProblems(parseCli([...remote, "--scenario", "browse", "--tabs", "1", "--rate", "60"]), 1)).toHaveLength(
      1,
    );
  });
});
