/** A private redis-server for BullMQ (AOF, fsync every second) on a free loopback port, stopped at cleanup. */
import Redis from "ioredis";
import { progress, waitUntil } from "./measure.ts";
import { freePort, onCleanup, stopProcess, tempDir } from "./resources.ts";

/** `pid` is the redis-server process, for its CPU time. */
export type PrivateRedis = { port: number; version: string; pid: number };

export async function startRedis(): Promise<PrivateRedis> {
  const dir = tempDir();
  const port = await freePort();
  const proc = Bun.spawn(
    [
      "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
      "--appendfsync", "everysec", "--dir", dir, "--daemonize", "no", "--loglevel", "warning",
    ],
    { stdout: "ignore", stderr: "inherit" },
  );
  onCleanup(() => stopProcess(proc));
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await waitUntil(async () => {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with code ${proc.exitCode}`);
      try {
        if (client.status !== "ready") await client.connect();
        return (await client.ping()) === "PONG";
      } catch {
        client.disconnect();
        return false;
      }
    }, 10_000, "redis-server");
    const info = await client.info("server");
    const version = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
    progress(`redis-server ${version} on 127.0.0.1:${port} (appendonly yes, appendfsync everysec)`);
    return { port, version, pid: proc.pid };
  } finally {
    client.disconnect();
  }
}
