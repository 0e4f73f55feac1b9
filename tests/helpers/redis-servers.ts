/**
 * Private redis-servers for tests that need their own: one on a loopback port (to kill and
 * restart, or with AOF on), or a three-node Redis Cluster. Each keeps its files in a fresh
 * temporary folder and is killed by `stop()`.
 */
import type { Subprocess } from "bun";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";

export type RedisServer = {
  port: number;
  dir: string;
  stop: () => Promise<void>;
  restart: () => Promise<void>;
  /** Freezes the process (SIGSTOP): it keeps its connections and answers nothing, until thaw (SIGCONT). */
  freeze: () => void;
  thaw: () => void;
};

/** A free loopback port, found by binding port 0. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port }, () => {
      socket.write("PING\r\n");
    });
    socket.on("data", (data) => {
      socket.destroy();
      // A server with a password answers PING with NOAUTH: it is up all the same.
      resolve(/PONG|NOAUTH/.test(data.toString()));
    });
    socket.on("error", () => resolve(false));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Starts `redis-server` with the given extra arguments and waits (bounded) until it answers PING. */
export async function startRedis(args: string[] = [], dir = fs.mkdtempSync(os.tmpdir() + "/spool-redis-")): Promise<RedisServer> {
  const port = await freePort();
  let proc: Subprocess | null = null;
  const launch = async () => {
    proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...args], {
      stdout: "ignore",
      stderr: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      if (await answers(port)) return;
      await Bun.sleep(50);
    }
    throw new Error(`redis-server on port ${port} did not answer within 5 s`);
  };
  await launch();
  const stop = async () => {
    const p = proc as Subprocess | null;
    if (!p) return;
    p.kill("SIGKILL");
    await p.exited;
    proc = null;
  };
  const signal = (name: "SIGSTOP" | "SIGCONT") => (proc as Subprocess | null)?.kill(name);
  return { port, dir, stop, restart: launch, freeze: () => signal("SIGSTOP"), thaw: () => signal("SIGCONT") };
}

export type RedisCluster = { nodes: string[]; stop: () => Promise<void> };

/** Three masters on loopback ports, all slots assigned, state ok (bounded wait). */
export async function startCluster(): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  for (let i = 0; i < 3; i++) {
    const dir = fs.mkdtempSync(os.tmpdir() + "/spool-cluster-");
    servers.push(await startRedis(["--cluster-enabled", "yes", "--cluster-config-file", `${dir}/nodes.conf`, "--appendonly", "no"], dir));
  }
  const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
  const create = Bun.spawnSync(["redis-cli", "--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"]);
  if (create.exitCode !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stderr.toString()}${create.stdout.toString()}`);
  for (let i = 0; i < 100; i++) {
    const info = servers.map((s) => Bun.spawnSync(["redis-cli", "-p", String(s.port), "cluster", "info"]).stdout.toString());
    if (info.every((text) => text.includes("cluster_state:ok"))) {
      return {
        nodes,
        stop: async () => {
          for (const s of servers) await s.stop();
          for (const s of servers) fs.rmSync(s.dir, { recursive: true, force: true });
        },
      };
    }
    await Bun.sleep(100);
  }
  for (const s of servers) await s.stop();
  throw new Error("the test Redis Cluster did not reach cluster_state:ok within 10 s");
}
