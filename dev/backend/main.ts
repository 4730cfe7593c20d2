/**
 * `npm run backend`: the reference backend as a process. The only place that reads its environment
 * variables; prints where it listens and how to sign in, and stops cleanly on Ctrl-C or SIGTERM.
 */

import {
  BackendOptionsError,
  parseUsers,
  resolveOptions,
  startReferenceBackend,
  type BackendOptions,
  type BackendShape,
  type RotationPolicy,
} from "./server";

const DEFAULT_PORT = 4000;

/** Each option's environment variable, also used to name the variable in error messages. */
const ENV_NAMES = {
  port: "BACKEND_PORT",
  host: "BACKEND_HOST",
  accessTokenTtlSeconds: "BACKEND_ACCESS_TTL_SECONDS",
  refreshTokenTtlSeconds: "BACKEND_REFRESH_TTL_SECONDS",
  refreshLatencyMs: "BACKEND_REFRESH_LATENCY_MS",
  loginLatencyMs: "BACKEND_LOGIN_LATENCY_MS",
  users: "BACKEND_USERS",
  shape: "BACKEND_SHAPE",
  rotation: "BACKEND_ROTATION",
  reuseIntervalSeconds: "BACKEND_REUSE_INTERVAL_SECONDS",
  clockSkewSeconds: "BACKEND_CLOCK_SKEW_SECONDS",
} as const satisfies Partial<Record<keyof BackendOptions, string>>;

function optionsFromEnv(env: NodeJS.ProcessEnv): Partial<BackendOptions> {
  const text = (key: keyof typeof ENV_NAMES) => env[ENV_NAMES[key]]?.trim() || undefined;
  // An unparsable number stays NaN, so resolveOptions reports it together with every other problem.
  const number = (key: keyof typeof ENV_NAMES) => (text(key) === undefined ? undefined : Number(text(key)));
  const users = text("users");
  return {
    port: number("port") ?? DEFAULT_PORT,
    host: text("host"),
    accessTokenTtlSeconds: number("accessTokenTtlSeconds"),
    refreshTokenTtlSeconds: number("refreshTokenTtlSeconds"),
    refreshLatencyMs: number("refreshLatencyMs"),
    loginLatencyMs: number("loginLatencyMs"),
    users: users === undefined ? undefined : parseUsers(users),
    shape: text("shape") as BackendShape | undefined,
    rotation: text("rotation") as RotationPolicy | undefined,
    reuseIntervalSeconds: number("reuseIntervalSeconds"),
    clockSkewSeconds: number("clockSkewSeconds"),
  };
}

function withEnvNames(problems: readonly string[]): string {
  return problems
    .map((problem) => {
      const key = Object.keys(ENV_NAMES).find((name) => /^\w+/.exec(problem)?.[0] === name);
      return key ? `${ENV_NAMES[key as keyof typeof ENV_NAMES]} (${problem})` : problem;
    })
    .join("\n  ");
}

/** One line naming the shape, the rotation policy and anything else that makes this backend unusual. */
function describeBehaviour(options: BackendOptions): string {
  const rotation =
    options.rotation === "reuse-interval" ? `reuse-interval ${options.reuseIntervalSeconds} s` : options.rotation;
  const skew =
    options.clockSkewSeconds === 0
      ? ""
      : `, clock skew ${options.clockSkewSeconds > 0 ? "+" : ""}${options.clockSkewSeconds} s`;
  return `shape ${options.shape}, rotation ${rotation}${skew}`;
}

function describeDuration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} h`;
  return `${seconds} s`;
}

async function main(): Promise<void> {
  const overrides = optionsFromEnv(process.env);
  const options = resolveOptions(overrides);
  const backend = await startReferenceBackend(options);
  const users = options.users
    .map((user) => `    ${user.email} / ${user.password}${user.name !== user.email ? `  (${user.name})` : ""}`)
    .join("\n");
  console.log(
    [
      `[backend] reference backend listening on ${backend.url}  (${describeBehaviour(options)})`,
      `[backend] sign in with:`,
      users,
      ...(options.shape === "oauth"
        ? [
            `[backend] OAuth: POST ${backend.url}/oauth/token, POST ${backend.url}/oauth/revoke; clients: ` +
              options.oauthClients
                .map((client) =>
                  client.clientSecret ? `${client.clientId} / ${client.clientSecret}` : `${client.clientId} (public)`,
                )
                .join(", "),
          ]
        : []),
      `[backend] access token lifetime ${describeDuration(options.accessTokenTtlSeconds)}, ` +
        `refresh token lifetime ${describeDuration(options.refreshTokenTtlSeconds)}` +
        (options.refreshLatencyMs > 0 ? `, refresh latency ${options.refreshLatencyMs} ms` : ""),
      `[backend] stats: GET ${backend.url}/__stats   control: POST ${backend.url}/__control`,
    ].join("\n"),
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second Ctrl-C while closing means "now".
    if (stopping) process.exit(130);
    stopping = true;
    console.log(`[backend] ${signal}: stopping`);
    backend.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("[backend] error while stopping:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: unknown) => {
  if (error instanceof BackendOptionsError) {
    console.error(`[backend] invalid settings:\n  ${withEnvNames(error.problems)}`);
  } else if ((error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE") {
    console.error(
      `[backend] port ${process.env.BACKEND_PORT ?? DEFAULT_PORT} is already in use; ` +
        "stop the other process or set BACKEND_PORT",
    );
  } else {
    console.error("[backend] failed to start:", error);
  }
  process.exit(1);
});
