/**
 * A real 3-master Redis Cluster for tests: three `redis-server --cluster-enabled yes` on free ports, each in
 * its own temporary directory, joined by `redis-cli --cluster create … --cluster-replicas 0`. Ready when
 * every node says `cluster_state:ok`. `stop()` ends the servers and removes the directories; single nodes
 * can be stopped and started again (a failover test), keeping their port and cluster config.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectRedis, terminate } from "./redis";
import { freePort } from "./ports";

const MASTERS = 3;
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? "redis-server";
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? "redis-cli";
const READY_TIMEOUT_MS = 30_000;
const POLL_MS = 100;

export interface TestRedisCluster {
  /** `host:port` of every master: what REDIS_CLUSTER_NODES takes. */
  readonly nodes: readonly string[];
  /** The same, comma-separated. */
  readonly nodesSetting: string;
  stopNode(index: number): Promise<void>;
  startNode(index: number): Promise<void>;
  /** Waits until every running node reports `cluster_state:ok`. */
  ready(): Promise<void>;
  stop(): Promise<void>;
}

interface Node {
  readonly port: number;
  readonly dir: string;
  process: ChildProcess | undefined;
}

export async function startRedisCluster(): Promise<TestRedisCluster> {
  const root = mkdtempSync(join(tmpdir(), "esr-cluster-"));
  const nodes: Node[] = [];
  for (let index = 0; index < MASTERS; index++) {
    nodes.push({ port: await freePort(), dir: mkdtempSync(join(root, `node-${index}-`)), process: undefined });
  }
  const killAll = () => nodes.forEach((node) => node.process?.kill("SIGKILL"));
  process.once("exit", killAll);

  async function startNode(index: number): Promise<void> {
    const node = nodes[index]!;
    const child = spawn(
      REDIS_SERVER,
      [
        "--port",
        String(node.port),
        "--bind",
        "127.0.0.1",
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(node.dir, "nodes.conf"),
        "--cluster-node-timeout",
        "2000",
        "--dir",
        node.dir,
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      { stdio: "ignore" },
    );
    node.process = child;
    await waitFor(async () => (await ask(node.port, ["PING"])) === "PONG", `cluster node ${node.port} to answer PING`);
  }

  async function stopNode(index: number): Promise<void> {
    const child = nodes[index]!.process;
    nodes[index]!.process = undefined;
    if (child) await terminate(child);
  }

  async function ready(): Promise<void> {
    for (const node of nodes) {
      if (!node.process) continue;
      await waitFor(
        async () => (await ask(node.port, ["CLUSTER", "INFO"])).includes("cluster_state:ok"),
        `cluster node ${node.port} to report cluster_state:ok`,
      );
    }
  }

  try {
    await Promise.all(nodes.map((_, index) => startNode(index)));
    await run(REDIS_CLI, [
      "--cluster",
      "create",
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    await ready();
  } catch (error) {
    killAll();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  return {
    nodes: addresses,
    nodesSetting: addresses.join(","),
    stopNode,
    startNode,
    ready,
    async stop() {
      await Promise.all(nodes.map((_, index) => stopNode(index)));
      process.removeListener("exit", killAll);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** One command to one node, as text ("" when it does not answer). */
async function ask(port: number, command: string[]): Promise<string> {
  try {
    const client = await connectRedis(`redis://127.0.0.1:${port}`);
    try {
      return String(await client.sendCommand(command));
    } finally {
      await client.close();
    }
  } catch {
    return "";
  }
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`startRedisCluster: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(" ")} exited ${code}:\n${output.slice(-2000)}`)),
    );
  });
}
