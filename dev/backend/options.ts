/**
 * Settings of the reference backend: their types, defaults and validation. Environment variables are read
 * only in main.ts; everything here takes plain values so tests can start servers with any combination.
 */

import type { RotationPolicy } from "./tokens";

export type { RotationPolicy } from "./tokens";

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
  /** `rotate` (default), `none` (refresh answers an access token only) or `reuse-interval`. */
  rotation: RotationPolicy;
  /** For `reuse-interval`: how long after its consumption a refresh token may come back for the same successor. */
  reuseIntervalSeconds: number;
  /**
   * Whole seconds added to the times the backend states (JWT `iat`/`exp`, `accessTokenExpires`, the `Date`
   * header); real lifetimes stay the configured TTLs. Negative means a backend clock that runs behind.
   */
  clockSkewSeconds: number;
  /** The clients the OAuth token and revocation endpoints accept; a client without a secret is public. */
  oauthClients: readonly OAuthClient[];
  /** Scopes a password grant may ask for. */
  oauthScopes: readonly string[];
  /** The backend's real clock, epoch ms; tests inject a fake one to step through intervals and expiries. */
  clock: () => number;
}

/** A registered OAuth client (RFC 6749 §2): confidential with a secret, public without. */
export interface OAuthClient {
  clientId: string;
  clientSecret?: string;
}

/** The options a running server accepts from `setOptions` and `POST /__control`. */
export type RuntimeOptionsPatch = Partial<
  Pick<
    BackendOptions,
    | "failMode"
    | "refreshLatencyMs"
    | "loginLatencyMs"
    | "accessTokenTtlSeconds"
    | "refreshTokenTtlSeconds"
    | "shape"
    | "rotation"
    | "reuseIntervalSeconds"
    | "clockSkewSeconds"
  >
>;

/** The keys of RuntimeOptionsPatch, in the order `GET /__control` lists them. */
export const RUNTIME_OPTION_KEYS = [
  "failMode",
  "refreshLatencyMs",
  "loginLatencyMs",
  "accessTokenTtlSeconds",
  "refreshTokenTtlSeconds",
  "shape",
  "rotation",
  "reuseIntervalSeconds",
  "clockSkewSeconds",
] as const satisfies readonly (keyof RuntimeOptionsPatch)[];

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
  rotation: "rotate",
  reuseIntervalSeconds: 10,
  clockSkewSeconds: 0,
  oauthClients: Object.freeze([
    Object.freeze({ clientId: "demo-client", clientSecret: "demo-secret" }),
    Object.freeze({ clientId: "demo-public" }),
  ]),
  oauthScopes: Object.freeze(["openid", "profile", "email", "offline_access"]),
  clock: Date.now,
});

const SHAPES: readonly BackendShape[] = ["default", "oauth", "drf"];
const FAIL_MODES: readonly FailMode[] = ["none", "down", "hang"];
const ROTATIONS: readonly RotationPolicy[] = ["rotate", "none", "reuse-interval"];

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
  problems.push(...checkOAuthOptions(merged));
  if (typeof merged.clock !== "function") problems.push("clock must be a function returning epoch milliseconds");
  if (problems.length > 0) throw new BackendOptionsError(problems);
  return {
    ...merged,
    users: merged.users.map((user) => ({ ...user })),
    oauthClients: merged.oauthClients.map((client) => ({ ...client })),
    oauthScopes: [...merged.oauthScopes],
  };
}

/**
 * Validates a runtime patch from untrusted JSON (`POST /__control`): the recognised keys are returned,
 * unknown keys and bad values are problems, so a typo in a test script fails loudly instead of being ignored.
 */
export function parseRuntimePatch(input: unknown): { patch: RuntimeOptionsPatch } | { problems: string[] } {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { problems: ["the body must be a JSON object"] };
  }
  const allowed = new Set<string>(RUNTIME_OPTION_KEYS);
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
  for (const entry of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
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
  if (options.rotation !== undefined && !ROTATIONS.includes(options.rotation)) {
    problems.push(`rotation must be one of ${ROTATIONS.join(", ")}, got ${JSON.stringify(options.rotation)}`);
  }
  nonNegative("reuseIntervalSeconds", options.reuseIntervalSeconds);
  // Whole seconds, so the stated `exp - iat` is exactly the real lifetime.
  if (options.clockSkewSeconds !== undefined && !Number.isInteger(options.clockSkewSeconds)) {
    problems.push(`clockSkewSeconds must be a whole number of seconds, got ${describe(options.clockSkewSeconds)}`);
  }
  return problems;
}

function checkOAuthOptions(options: BackendOptions): string[] {
  const problems: string[] = [];
  if (!Array.isArray(options.oauthClients)) return ["oauthClients must be a list of { clientId, clientSecret? }"];
  const ids = new Set<string>();
  for (const client of options.oauthClients) {
    if (typeof client?.clientId !== "string" || client.clientId === "") {
      problems.push("every OAuth client needs a non-empty clientId");
      continue;
    }
    if (client.clientSecret !== undefined && (typeof client.clientSecret !== "string" || client.clientSecret === "")) {
      problems.push(`OAuth client ${client.clientId}: clientSecret must be a non-empty string or left out`);
    }
    if (ids.has(client.clientId)) problems.push(`OAuth client ${client.clientId} is listed twice`);
    ids.add(client.clientId);
  }
  if (
    !Array.isArray(options.oauthScopes) ||
    options.oauthScopes.some((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))
  ) {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
    problems.push("oauthScopes must be a list of RFC 6749 scope tokens (no spaces, quotes or backslashes)");
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
