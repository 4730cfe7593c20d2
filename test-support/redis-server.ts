/**
 * A redis-server on a port the test chooses, with extra arguments (a password, `--replicaof`), that can be
 * stopped and started again on the same port: a failover, a restart, a silent server (SIGSTOP). Answers PING
 * (or NOAUTH) before it resolves. startRedis (redis.ts) remains the way to get an ordinary test Redis.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";

const READY_TIMEOUT_MS = 10_000;
const POLL_MS = 50;

export interface RedisServerProcess {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export async function spawnRedisServer(port: number, extra: readonly string[] = []): Promise<RedisServerProcess> {
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extra],
    { stdio: "ignore" },
  );
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`redis-server on port ${port} did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener("exit", killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGCONT");
        child.kill("SIGKILL");
      }),
  };
}

/** An inline PING: +PONG, or -NOAUTH from a server with a password, both mean it is up. */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (chunk) => done(/^(\+PONG|-NOAUTH)/.test(chunk.toString("utf8"))));
  });
}
