/**
 * The command line of `npx edge-session-refresh-loadtest`: argv and the environment in, validated options
 * out, every problem reported at once (exit 2). Pure: reads no file (the accounts file is read by run.ts).
 */
import { parseArgs } from "node:util";
import { parseThreshold, type Threshold, withDefaults, METRICS } from "./thresholds";

export const SCENARIOS = ["storm", "browse"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** The flag that says you know the run may sign test accounts out (and revoke their other sessions). */
export const SIGN_OUT_FLAG = "i-understand-this-signs-out-test-accounts";
/** A wave bigger than this is a typo, not a load test. */
export const MAX_REQUESTS_PER_WAVE = 20_000;
export const MAX_RATE = 2_000;
/** Against a target not on this machine, more than this needs --allow-high-load. */
export const REMOTE_MAX_CONCURRENT = 200;
export const REMOTE_MAX_RATE = 50;

export interface CliOptions {
  readonly targets: readonly string[];
  readonly accountsFile: string | null;
  readonly provider: string;
  readonly identifierField: string;
  readonly authPath: string;
  readonly signInPaths: readonly string[];
  readonly paths: readonly string[];
  readonly scenario: ScenarioName;
  readonly tabs: number;
  readonly waves: number;
  /** Seconds to wait after sign-in and after each wave; null: until the due time the app states. */
  readonly expiryWaitSeconds: number | null;
  readonly late: boolean;
  readonly durationSeconds: number;
  /** Requests per second over all tabs (browse); null: one per tab per second. */
  readonly rate: number | null;
  /** Sign-ins spread over this many seconds (browse); null: half the duration, at most 30 s. */
  readonly rampSeconds: number | null;
  readonly refreshAhead: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly thresholds: readonly Threshold[];
  readonly jsonFile: string | null;
  readonly reportFile: string | null;
  readonly backendStatsUrl: string | null;
  readonly timeoutMs: number;
  readonly deadlineSeconds: number;
  readonly allowSignOuts: boolean;
  readonly allowInsecureHttp: boolean;
  readonly allowHighLoad: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export const USAGE = `Usage: npx edge-session-refresh-loadtest --target URL --path P [options]

Load-tests how a next-auth v4 app refreshes sessions under concurrent requests: signs test accounts in
through next-auth's HTTP flow, waits until their sessions fall due, and sends many requests at once.

Where:
  --target URL               base URL of one instance; repeat for several (requests go round-robin)
  --path P                   a protected path to request (repeat for several; spread over the tabs)
  --header "Name: value"     sent with every request (repeatable), e.g. x-vercel-protection-bypass
Signing in:
  --accounts FILE            CSV with a header row naming identifier and password (default: one account
                             from LOADTEST_IDENTIFIER and LOADTEST_PASSWORD in the environment)
  --provider ID              next-auth provider id (default credentials)
  --identifier-field NAME    the Credentials provider's identifier field (default identifier)
  --auth-path P              next-auth's base path (default /api/auth)
  --sign-in-path P           a redirect here means "signed out" (repeatable; default /login; <auth-path>/signin always)
Scenario:
  --scenario storm|browse    storm (default): every tab of every account at each expiry;
                             browse: tabs request paths at a steady rate for --duration
  --tabs N                   concurrent tabs per account (default 5 for storm, 2 for browse)
  --waves N                  storm: expiries per account (default 2)
  --expiry-wait S            storm: wait S seconds after sign-in and after each wave; without it, until the
                             session falls due as the app states it in <auth-path>/session
  --no-late                  storm: no late request with the old cookie after the storm
  --duration S               browse: how long (default 60)
  --rate N                   browse: requests per second over all tabs (default: 1 per tab per second)
  --ramp S                   browse: sign-ins spread over S seconds (default: half the duration, at most 30)
  --refresh-ahead            browse: also send edge-session-refresh's refresh-ahead session calls
Verdicts and output:
  --threshold EXPR           METRIC OP NUMBER, repeatable; replaces that metric's default
                             (defaults: served>=1, signedOut==0, refreshedPerExpiry<=1, signInFailures==0)
                             metrics: ${Object.keys(METRICS).join(", ")}
  --json FILE                the summary as JSON
  --report FILE              a self-contained report: .html (charts and tables) or .svg (the timeline chart)
  --backend-stats URL        GET before and after the run: a JSON of counters, diffed in the summary
  --timeout-ms N             per request (default 20000)
  --deadline S               for the whole run (default 3600)
Safety (see the README):
  --${SIGN_OUT_FLAG}
                             needed for storms (and browse with several tabs or refresh ahead) against a
                             target not on this machine: an app without a lock signs those accounts out
  --allow-insecure-http      allow http:// to a target not on this machine (passwords in clear)
  --allow-high-load          allow more than ${REMOTE_MAX_CONCURRENT} concurrent requests or ${REMOTE_MAX_RATE} requests/s to such a target

Exit: 0 every threshold held; 1 a threshold failed or the run did not finish; 2 bad usage, or no account could sign in.`;

export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `edge-session-refresh-loadtest: ${problems.length === 1 ? problems[0] : `\n  - ${problems.join("\n  - ")}`}\nRun with --help for the options.`,
    );
    this.name = "UsageError";
  }
}

export function parseCli(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: "string", multiple: true },
        accounts: { type: "string" },
        provider: { type: "string" },
        "identifier-field": { type: "string" },
        "auth-path": { type: "string" },
        "sign-in-path": { type: "string", multiple: true },
        path: { type: "string", multiple: true },
        scenario: { type: "string" },
        tabs: { type: "string" },
        waves: { type: "string" },
        "expiry-wait": { type: "string" },
        "no-late": { type: "boolean" },
        duration: { type: "string" },
        rate: { type: "string" },
        ramp: { type: "string" },
        "refresh-ahead": { type: "boolean" },
        header: { type: "string", multiple: true },
        threshold: { type: "string", multiple: true },
        json: { type: "string" },
        report: { type: "string" },
        "backend-stats": { type: "string" },
        "timeout-ms": { type: "string" },
        deadline: { type: "string" },
        [SIGN_OUT_FLAG]: { type: "boolean" },
        "allow-insecure-http": { type: "boolean" },
        "allow-high-load": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError([error instanceof Error ? error.message : String(error)]);
  }
  const values = parsed.values;
  const problems: string[] = [];
  const help = values.help === true;
  const version = values.version === true;

  const number = (name: keyof typeof values, fallback: number, min: number, max: number, integer = true): number => {
    const text = values[name];
    if (typeof text !== "string") return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      problems.push(
        `--${name} must be ${integer ? "a whole number" : "a number"} from ${min} to ${max}, got ${JSON.stringify(text)}`,
      );
      return fallback;
    }
    return value;
  };
  const optionalNumber = (name: keyof typeof values, min: number, max: number, integer = false): number | null =>
    typeof values[name] === "string" ? number(name, min, min, max, integer) : null;

  const targets = (values.target ?? []).map((url) => url.replace(/\/+$/, ""));
  for (const url of targets) {
    let parsedUrl: URL | null = null;
    try {
      parsedUrl = new URL(url);
    } catch {
      // reported below
    }
    if (parsedUrl === null || !/^https?:$/.test(parsedUrl.protocol))
      problems.push(`--target ${JSON.stringify(url)} is not an http(s) URL`);
    else if (parsedUrl.username || parsedUrl.password)
      problems.push(
        `--target ${JSON.stringify(parsedUrl.host)}: no credentials in the URL (use --header "Authorization: Basic …")`,
      );
  }
  if (targets.length === 0 && !help && !version)
    problems.push("--target is required (the app's base URL, e.g. https://staging.example.com)");

  const paths = values.path ?? [];
  for (const path of paths)
    if (!path.startsWith("/")) problems.push(`--path ${JSON.stringify(path)} must start with /`);
  if (paths.length === 0 && !help && !version)
    problems.push("--path is required (a protected page or API route of the app, e.g. /dashboard)");

  const scenario = values.scenario ?? "storm";
  if (!(SCENARIOS as readonly string[]).includes(scenario))
    problems.push(`--scenario must be storm or browse, got ${JSON.stringify(scenario)}`);
  const isBrowse = scenario === "browse";

  const headers: Record<string, string> = {};
  for (const line of values.header ?? []) {
    const colon = line.indexOf(":");
    const name = colon > 0 ? line.slice(0, colon).trim() : "";
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
      problems.push(`--header ${JSON.stringify(line.split(":")[0])}… is not "Name: value"`);
    else if (name.toLowerCase() === "cookie")
      problems.push("--header cookie: the load test keeps each browser's cookies itself");
    else headers[name.toLowerCase()] = line.slice(colon + 1).trim();
  }

  const thresholds: Threshold[] = [];
  for (const text of values.threshold ?? []) {
    const threshold = parseThreshold(text);
    if ("problem" in threshold) problems.push(threshold.problem);
    else thresholds.push(threshold);
  }

  const authPath = (values["auth-path"] ?? "/api/auth").replace(/\/+$/, "");
  if (!authPath.startsWith("/")) problems.push(`--auth-path ${JSON.stringify(values["auth-path"])} must start with /`);
  const tabs = number("tabs", isBrowse ? 2 : 5, 1, 1_000);
  const waves = number("waves", 2, 1, 100);
  const durationSeconds = number("duration", 60, 1, 24 * 3600, false);
  const rate = optionalNumber("rate", 0.01, MAX_RATE);
  const report = values.report ?? null;
  if (report !== null && !/\.(html?|svg)$/i.test(report))
    problems.push(`--report ${JSON.stringify(report)} must end in .html or .svg`);

  if (!isBrowse) {
    for (const name of ["duration", "rate", "ramp", "refresh-ahead"] as const)
      if (values[name] !== undefined) problems.push(`--${name} only applies to --scenario browse`);
  } else {
    for (const name of ["waves", "expiry-wait", "no-late"] as const)
      if (values[name] !== undefined) problems.push(`--${name} only applies to --scenario storm`);
  }

  const options: CliOptions = {
    targets,
    accountsFile: values.accounts ?? null,
    provider: values.provider ?? "credentials",
    identifierField: values["identifier-field"] ?? "identifier",
    authPath,
    signInPaths: [...(values["sign-in-path"] ?? ["/login"]), `${authPath}/signin`],
    paths,
    scenario: isBrowse ? "browse" : "storm",
    tabs,
    waves,
    expiryWaitSeconds: optionalNumber("expiry-wait", 0, 24 * 3600),
    late: values["no-late"] !== true,
    durationSeconds,
    rate,
    rampSeconds: optionalNumber("ramp", 0, 24 * 3600),
    refreshAhead: values["refresh-ahead"] === true,
    headers,
    thresholds: withDefaults(thresholds),
    jsonFile: values.json ?? null,
    reportFile: report,
    backendStatsUrl: values["backend-stats"] ?? null,
    timeoutMs: number("timeout-ms", 20_000, 100, 600_000),
    deadlineSeconds: number("deadline", 3600, 5, 7 * 24 * 3600),
    allowSignOuts: values[SIGN_OUT_FLAG] === true,
    allowInsecureHttp: values["allow-insecure-http"] === true,
    allowHighLoad: values["allow-high-load"] === true,
    help,
    version,
  };
  if (!help && !version) problems.push(...safetyProblems(options));
  if (problems.length > 0 && !help && !version) throw new UsageError(problems);
  return options;
}

/** A target on this machine: localhost, *.localhost, 127.0.0.0/8, ::1. */
export function isLocal(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || /^127\.\d+\.\d+\.\d+$/.test(host) || host === "::1";
}

/**
 * What the run would risk against a target not on this machine, each unless its flag says you mean it.
 * A storm replays one session's due cookie from many tabs at once (and, late, after it was refreshed): an
 * app without a lock then sends the backend the same refresh token several times, and a backend with reuse
 * detection revokes the whole token family, or every session of that user: test accounts are signed out, and
 * so is anyone else using them.
 */
export function safetyProblems(options: CliOptions): string[] {
  const remote = options.targets.filter((target) => {
    try {
      return /^https?:$/.test(new URL(target).protocol) && !isLocal(target);
    } catch {
      return false;
    }
  });
  if (remote.length === 0) return [];
  const problems: string[] = [];
  const hosts = [...new Set(remote.map((target) => new URL(target).host))].join(", ");
  const concurrentSessions = options.scenario === "storm" || options.tabs > 1 || options.refreshAhead;
  if (concurrentSessions && !options.allowSignOuts) {
    problems.push(
      `refusing to ${options.scenario === "storm" ? "storm" : "browse with several tabs per account against"} ${hosts} without --${SIGN_OUT_FLAG}: ` +
        "concurrent requests with one session's due cookie make an app without a refresh lock reuse a rotating refresh token, " +
        "which signs those accounts out (and any real person using them). Use test accounts only, then add the flag",
    );
  }
  const insecure = remote.filter((target) => target.startsWith("http:"));
  if (insecure.length > 0 && !options.allowInsecureHttp) {
    problems.push(
      `refusing to send passwords over plain http to ${insecure.map((target) => new URL(target).host).join(", ")} without --allow-insecure-http`,
    );
  }
  return problems;
}

/** The load a run puts on a target not on this machine, checked once the number of accounts is known. */
export function loadProblems(options: CliOptions, accounts: number): string[] {
  const problems: string[] = [];
  const perWave = options.tabs * accounts;
  if (options.scenario === "storm" && perWave > MAX_REQUESTS_PER_WAVE) {
    problems.push(`${perWave} concurrent requests per wave (--tabs × accounts) is more than ${MAX_REQUESTS_PER_WAVE}`);
  }
  const remote = options.targets.some((target) => !isLocal(target));
  if (!remote || options.allowHighLoad) return problems;
  if (options.scenario === "storm" && perWave > REMOTE_MAX_CONCURRENT) {
    problems.push(
      `refusing ${perWave} concurrent requests to a target not on this machine without --allow-high-load (limit ${REMOTE_MAX_CONCURRENT})`,
    );
  }
  const rate = options.rate ?? options.tabs * accounts;
  if (options.scenario === "browse" && rate > REMOTE_MAX_RATE) {
    problems.push(
      `refusing ${rate} requests/s to a target not on this machine without --allow-high-load (limit ${REMOTE_MAX_RATE})`,
    );
  }
  return problems;
}
