/**
 * Settings of the reference backend: their types, defaults and validation. Environment variables are read
 * only in main.ts; everything here takes plain values so tests can start servers with any combination.
 */

/** Response dialect: `default` is the app's own, `oauth` is RFC 6749, `drf` is Django REST SimpleJWT. */
export type BackendShape = "default" | "oauth" | "drf";

/** How the refresh endpoint misbehaves: `down` answers 503, `hang` never answers until the client aborts. */
export type FailMode = "none" | "down" | "hang";

export interface BackendUser {
  email: string;
  password: string;
  name: string;
}

export interface BackendOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Delay before the refresh endpoint answers; the refresh token is consumed before it, as in a real transaction. */
  refreshLatencyMs: number;
  loginLatencyMs: number;
  users: readonly BackendUser[];
  shape: BackendShape;
  failMode: FailMode;
}

/** The options a running server accepts from `setOptions` and `POST /__control`. */
export type RuntimeOptionsPatch = Partial<
  Pick<
    BackendOptions,
    "failMode" | "refreshLatencyMs" | "loginLatencyMs" | "accessTokenTtlSeconds" | "refreshTokenTtlSeconds" | "shape"
  >
>;

export const DEMO_USER: BackendUser = Object.freeze({
  email: "demo@example.com",
  password: "demo-password",
  name: "Demo User",
});

export const DEFAULT_OPTIONS: Readonly<BackendOptions> = Object.freeze({
  port: 0,
  host: "127.0.0.1",
  accessTokenTtlSeconds: 60,
  refreshTokenTtlSeconds: 30 * 24 * 60 * 60,
  refreshLatencyMs: 0,
  loginLatencyMs: 0,
  users: Object.freeze([DEMO_USER]),
  shape: "default",
  failMode: "none",
});

const SHAPES: readonly BackendShape[] = ["default", "oauth", "drf"];
const FAIL_MODES: readonly FailMode[] = ["none", "down", "hang"];

/** Thrown for options a caller wrote wrongly; lists every problem at once. */
export class BackendOptionsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid reference backend options: ${problems.join("; ")}`);
    this.name = "BackendOptionsError";
  }
}

/** Defaults filled in and every value checked; throws BackendOptionsError listing all problems. */
export function resolveOptions(overrides: Partial<BackendOptions> = {}): BackendOptions {
  const merged: BackendOptions = { ...DEFAULT_OPTIONS, ...withoutUndefined(overrides) };
  const problems = [...checkRuntimeOptions(merged)];
  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65535) {
    problems.push(`port must be an integer 0..65535, got ${String(merged.port)}`);
  }
  if (typeof merged.host !== "string" || merged.host === "") problems.push("host must be a non-empty string");
  if (!Array.isArray(merged.users) || merged.users.length === 0) {
    problems.push("users must list at least one user");
  } else {
    const emails = new Set<string>();
    for (const user of merged.users) {
      if (!user.email || !user.password) problems.push("every user needs an email and a password");
      if (emails.has(user.email)) problems.push(`user ${user.email} is listed twice`);
      emails.add(user.email);
    }
  }
  if (problems.length > 0) throw new BackendOptionsError(problems);
  return { ...merged, users: merged.users.map((user) => ({ ...user })) };
}

/**
 * Validates a runtime patch from untrusted JSON (`POST /__control`): the recognised keys are returned,
 * unknown keys and bad values are problems, so a typo in a test script fails loudly instead of being ignored.
 */
export function parseRuntimePatch(input: unknown): { patch: RuntimeOptionsPatch } | { problems: string[] } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { problems: ["the body must be a JSON object"] };
  }
  const allowed = new Set<string>([
    "failMode",
    "refreshLatencyMs",
    "loginLatencyMs",
    "accessTokenTtlSeconds",
    "refreshTokenTtlSeconds",
    "shape",
  ]);
  const problems = Object.keys(input)
    .filter((key) => !allowed.has(key))
    .map((key) => `unknown option ${key}`);
  const patch = input as RuntimeOptionsPatch;
  problems.push(...checkRuntimeOptions(patch));
  return problems.length > 0 ? { problems } : { patch: withoutUndefined(patch) };
}

/** `email:password:name,email2:password2:name2`; the name may be left out and defaults to the email. */
export function parseUsers(text: string): BackendUser[] {
  const users: BackendUser[] = [];
  const problems: string[] = [];
  for (const entry of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    const [email, password, ...nameParts] = entry.split(":");
    if (!email || !password) {
      problems.push(`users: "${entry}" is not email:password:name`);
      continue;
    }
    // Names may contain colons; only the first two separate fields.
    users.push({ email, password, name: nameParts.join(":") || email });
  }
  if (problems.length > 0) throw new BackendOptionsError(problems);
  return users;
}

function checkRuntimeOptions(options: RuntimeOptionsPatch): string[] {
  const problems: string[] = [];
  const positive = (key: keyof RuntimeOptionsPatch, value: unknown) => {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value <= 0)) {
      problems.push(`${key} must be a positive number, got ${describe(value)}`);
    }
  };
  const nonNegative = (key: keyof RuntimeOptionsPatch, value: unknown) => {
    if (value !== undefined && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
      problems.push(`${key} must be a number >= 0, got ${describe(value)}`);
    }
  };
  positive("accessTokenTtlSeconds", options.accessTokenTtlSeconds);
  positive("refreshTokenTtlSeconds", options.refreshTokenTtlSeconds);
  nonNegative("refreshLatencyMs", options.refreshLatencyMs);
  nonNegative("loginLatencyMs", options.loginLatencyMs);
  if (options.shape !== undefined && !SHAPES.includes(options.shape)) {
    problems.push(`shape must be one of ${SHAPES.join(", ")}, got ${JSON.stringify(options.shape)}`);
  }
  if (options.failMode !== undefined && !FAIL_MODES.includes(options.failMode)) {
    problems.push(`failMode must be one of ${FAIL_MODES.join(", ")}, got ${JSON.stringify(options.failMode)}`);
  }
  return problems;
}

// JSON.stringify would print NaN (an unparsable env value) as null.
function describe(value: unknown): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
