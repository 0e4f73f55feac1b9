/** `spool serve`: opens the store, starts background duties and the HTTP server, and shuts down gracefully. */
import { mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { createApp } from "./api/app.ts";
import { Authenticator } from "./api/auth.ts";
import type { App } from "./api/env.ts";
import { systemClock, type Clock } from "./core/clock.ts";
import { CannotStart } from "./core/errors.ts";
import { QueueService } from "./core/queue-service.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import { ScheduleService } from "./scheduler/schedule-service.ts";
import type { MonitorConfig } from "./monitor/monitor-config.ts";
import { Monitor } from "./monitor/monitor.ts";
import { monitorTasks } from "./monitor/monitor-tasks.ts";
import { maintenanceTasks } from "./scheduler/maintenance/tasks.ts";
import type { Store } from "./core/store.ts";
import { lockDataFolder, type DataLock } from "./store/sqlite/data-lock.ts";
import { SqliteStore } from "./store/sqlite/sqlite-store.ts";
import { VERSION } from "./version.ts";
import { startServerWorkers, type ServerWorkers } from "./workers/server-workers.ts";
import { WorkerRegistry } from "./workers/worker-registry.ts";

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
  /** Alert thresholds, webhooks, event log and history sizes (defaults: DEFAULT_MONITOR_CONFIG). */
  monitor?: MonitorConfig;
  /** How long a write waits for a locked database before answering 503 (default 5000). */
  busyTimeoutMs?: number;
  /** At shutdown, how long running jobs get to finish before they are released (default 0; `spool serve` gives 30 s). */
  graceMs?: number;
  /** A file exporting `handlers` to run in-process (`--handlers`). */
  handlersFile?: string | null;
  /** How often a waiting long poll looks again by itself (default 1 s); enqueues on this server wake it at once. */
  longPollRecheckMs?: number;
};

export type RunningServer = {
  url: string;
  port: number;
  service: QueueService;
  store: Store;
  monitor: Monitor;
  /** The HTTP app the listener serves: its routes, and in-process requests. */
  app: App;
  /** Stops claiming, answers open long polls, gives running jobs graceMs to finish, closes the listener and the store (checkpointing the WAL). */
  stop(): Promise<void>;
};

export class RefusedToStart extends CannotStart {}

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith("127.");
}

/**
 * An HTTP/1.0 request without Host (or one with a Host that is not a host) reaches us with a
 * bare path as its URL, on which routing fails: it is served as if addressed to this server.
 */
function withAbsoluteUrl(req: Request, bun: { hostname?: string; port?: number }): Request {
  if (req.url.startsWith("http://") || req.url.startsWith("https://")) return req;
  const host = bun.hostname?.includes(":") ? `[${bun.hostname}]` : (bun.hostname ?? "127.0.0.1");
  const path = req.url.startsWith("/") ? req.url : "/";
  return new Request(`http://${host}:${bun.port}${path}`, req);
}

export async function startServer(config: ServeConfig, clock: Clock = systemClock): Promise<RunningServer> {
  const dataDir = isAbsolute(config.dataDir) ? config.dataDir : resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const lock: DataLock = lockDataFolder(dataDir);
  let store: SqliteStore | null = null;
  let workers: ServerWorkers | null = null;
  let listener: ReturnType<typeof Bun.serve> | null = null;
  try {
    store = new SqliteStore({ path: join(dataDir, "spool.db"), durability: config.durability, busyTimeoutMs: config.busyTimeoutMs });
    const tokens = await store.tokensCount();
    if (!isLoopback(config.host) && tokens === 0 && !config.adminToken && !config.insecure) {
      throw new RefusedToStart(
        `refusing to listen on ${config.host} without any API token: create one with \`spool token create --role admin\`, set SPOOL_ADMIN_TOKEN, or pass --insecure`,
      );
    }
    const service = new QueueService({ store, clock, recheckMs: config.longPollRecheckMs });
    service.start();
    const monitor = new Monitor({ store, clock, dataDir, config: config.monitor, refusedCompletions: () => service.refusedCompletions });
    const registry = new WorkerRegistry({ store, clock });
    workers = await startServerWorkers({
      service,
      registry,
      dataDir,
      handlersFile: config.handlersFile ?? null,
      maintenanceTasks: new Map([...maintenanceTasks, ...monitorTasks(monitor)]),
    });
    const closing = new AbortController();
    const app = createApp({
      closing: closing.signal,
      auth: new Authenticator({ store, clock, adminToken: config.adminToken }),
      schedules: new ScheduleService(service, { clock }),
      service,
      workers: registry,
      store,
      clock,
      monitor,
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
    const server = (listener = Bun.serve({
      hostname: config.host,
      port: config.port,
      fetch: (req, bun) => app.fetch(withAbsoluteUrl(req, bun), bun),
      // Long polls wait up to 30 s; event streams send a comment every 15 s.
      idleTimeout: 60,
      // The app's body limit answers 413 in the JSON error shape without reading an oversized
      // body (it checks Content-Length, and stops a streamed body at the limit); Bun's own
      // limit would answer a bare 413 instead, so it is left out of the way.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    }));
    const scheduler = new Scheduler({ service });
    await scheduler.start();
    const openStore = store;
    const runningWorkers = workers;
    let stopped = false;
    return {
      url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`,
      port: server.port!,
      service,
      store: openStore,
      monitor,
      app,
      async stop() {
        if (stopped) return;
        stopped = true;
        closing.abort();
        await scheduler.stop();
        await runningWorkers.shutDown(config.graceMs ?? 0);
        await service.stop();
        // Streams and long polls have been told to end; a client that keeps a connection open
        // past that (a half-read stream) is cut rather than holding the shutdown forever.
        const cut = setTimeout(() => void server.stop(true), 2000);
        await server.stop();
        clearTimeout(cut);
        await openStore.close();
        lock.release();
      },
    };
  } catch (err) {
    await listener?.stop(true);
    await workers?.shutDown(0);
    if (store) await store.close();
    lock.release();
    throw err;
  }
}
