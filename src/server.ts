/** `spool serve`: opens the store, starts background duties and the HTTP server, and shuts down gracefully. */
import { mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { createApp } from "./api/app.ts";
import { systemClock, type Clock } from "./core/clock.ts";
import { QueueService } from "./core/queue-service.ts";
import type { Store } from "./core/store.ts";
import { lockDataFolder, type DataLock } from "./store/sqlite/data-lock.ts";
import { SqliteStore } from "./store/sqlite/sqlite-store.ts";
import { VERSION } from "./version.ts";

export type ServeConfig = {
  port: number;
  host: string;
  dataDir: string;
  durability: "normal" | "full";
  insecure: boolean;
  bodyLimitBytes: number;
  rateLimitPerSecond: number;
  adminToken: string | null;
  publicMetrics: boolean;
};

export type RunningServer = {
  url: string;
  port: number;
  service: QueueService;
  store: Store;
  /** Stops claiming, answers open long polls, closes the store (checkpointing the WAL) and the listener. */
  stop(): Promise<void>;
};

export class RefusedToStart extends Error {}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith("127.");
}

export async function startServer(config: ServeConfig, clock: Clock = systemClock): Promise<RunningServer> {
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const lock: DataLock = lockDataFolder(dataDir);
  let store: SqliteStore | null = null;
  try {
    store = new SqliteStore({ path: join(dataDir, "spool.db"), durability: config.durability });
    const tokens = await store.tokensCount();
    if (!isLoopback(config.host) && tokens === 0 && !config.adminToken && !config.insecure) {
      throw new RefusedToStart(
        `refusing to listen on ${config.host} without any API token: create one with \`spool token create --role admin\`, set SPOOL_ADMIN_TOKEN, or pass --insecure`,
      );
    }
    const service = new QueueService({ store, clock });
    service.start();
    const app = createApp({
      service,
      store,
      clock,
      adminToken: config.adminToken,
      rateLimitPerSecond: config.rateLimitPerSecond,
      server: {
        version: VERSION,
        dataDir,
        durability: config.durability,
        startedAt: Date.now(),
        bodyLimitBytes: config.bodyLimitBytes,
        publicMetrics: config.publicMetrics,
      },
    });
    const server = Bun.serve({
      hostname: config.host,
      port: config.port,
      fetch: app.fetch,
      // Long polls wait up to 30 s; event streams send a comment every 15 s.
      idleTimeout: 60,
      maxRequestBodySize: config.bodyLimitBytes + 1024,
    });
    const openStore = store;
    let stopped = false;
    return {
      url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`,
      port: server.port!,
      service,
      store: openStore,
      async stop() {
        if (stopped) return;
        stopped = true;
        await service.stop();
        await server.stop();
        await openStore.close();
        lock.release();
      },
    };
  } catch (err) {
    if (store) await store.close();
    lock.release();
    throw err;
  }
}
