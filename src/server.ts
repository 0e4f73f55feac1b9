/** `spool serve`: opens the store, starts background duties and the HTTP server, and shuts down gracefully. */
import { mkdirSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { createApp } from "./api/app.ts";
import { Authenticator } from "./api/auth.ts";
import type { App } from "./api/env.ts";
import { systemClock, type Clock } from "./core/clock.ts";
import { CannotStart, StorageUnavailable } from "./core/errors.ts";
import { QueueService } from "./core/queue-service.ts";
import { IntervalDuties } from "./duties/interval-duties.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import { ScheduleService } from "./scheduler/schedule-service.ts";
import type { MonitorConfig } from "./monitor/monitor-config.ts";
import { Monitor } from "./monitor/monitor.ts";
import type { Store } from "./core/store.ts";
import { openStore, redisConnectionOf, storeAnswers, type StoreConfig } from "./store/open-store.ts";
import { lockDataFolder, type DataLock } from "./store/sqlite/data-lock.ts";
import { VERSION } from "./version.ts";
import { waitAtMost } from "./wait-at-most.ts";
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
  /** Event streams (/v1/events, and /live apart) one token may hold open at once (default MAX_STREAMS_PER_TOKEN). */
  streamsPerToken?: number;
  /** How often an event stream with nothing to send sends a comment (default 15 s). */
  eventHeartbeatMs?: number;
  /**
   * Keep the queue in Redis, shared with every server pointed at it, instead of SQLite in the
   * data folder (which then holds only this server's logs and reports). Default: SQLite.
   */
  redis?: RedisConfig | null;
};

export type RedisConfig = { url?: string; cluster?: string[]; prefix?: string };

/** At shutdown, how long alert notices still being delivered (a webhook's retries) are waited for. */
const NOTICES_GRACE_MS = 10_000;

/** At start, how long spool waits for Redis before it listens anyway, answering 503 until Redis answers. */
const REDIS_START_WAIT_MS = 5000;

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
  /** Cuts a stop's grace period short: jobs still running are given back now, and no HTTP worker is waited for. */
  hurry(): void;
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
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (err) {
    throw new CannotStart(`cannot use the data folder ${dataDir}: ${(err as Error).message}`);
  }
  // The lock keeps a second server off the SQLite database; on Redis, servers share the queue.
  const lock: DataLock | null = config.redis ? null : lockDataFolder(dataDir);
  let store: Store | null = null;
  let workers: ServerWorkers | null = null;
  let duties: IntervalDuties | null = null;
  let listener: ReturnType<typeof Bun.serve> | null = null;
  const closing = new AbortController();
  try {
    store = await openStore(storeConfigOf(config, dataDir));
    const reachable = await firstContact(store, closing.signal);
    if (!isLoopback(config.host) && !config.adminToken && !config.insecure) {
      if (!reachable) {
        console.error(`spool: listening on ${config.host} waits for Redis, which says whether any API token exists`);
        await storeAnswers(store, closing.signal);
      }
      if ((await store.tokensCount()) === 0) {
        throw new RefusedToStart(
          `refusing to listen on ${config.host} without any API token: create one with \`spool token create --role admin\`, set SPOOL_ADMIN_TOKEN, or pass --insecure`,
        );
      }
    }
    const service = new QueueService({ store, clock, recheckMs: config.longPollRecheckMs });
    duties = new IntervalDuties({ ctx: { service } });
    duties.start();
    const monitor = new Monitor({ store, clock, dataDir, config: config.monitor, refusedCompletions: () => service.refusedCompletions });
    const registry = new WorkerRegistry({ store, clock, shared: config.redis != null });
    workers = await startServerWorkers({
      service,
      registry,
      handlersFile: config.handlersFile ?? null,
      maintenance: { dataDir, monitor },
    });
    const app = createApp({
      closing: closing.signal,
      auth: new Authenticator({ store, clock, adminToken: config.adminToken }, isLoopback(config.host)),
      schedules: new ScheduleService(service, { clock }),
      service,
      workers: registry,
      store,
      clock,
      monitor,
      adminToken: config.adminToken,
      rateLimitPerSecond: config.rateLimitPerSecond,
      streamsPerToken: config.streamsPerToken,
      eventHeartbeatMs: config.eventHeartbeatMs,
      server: {
        version: VERSION,
        dataDir,
        durability: config.durability,
        startedAt: Date.now(),
        bodyLimitBytes: config.bodyLimitBytes,
        publicMetrics: config.publicMetrics,
      },
    });
    const server = (listener = listen(config, {
      fetch: (req, bun) => app.fetch(withAbsoluteUrl(req, bun), bun),
      // Long polls wait up to 30 s; event streams send a comment every 15 s.
      idleTimeout: 60,
      // The app's body limit answers 413 in the JSON error shape without reading an oversized
      // body (it checks Content-Length, and stops a streamed body at the limit); Bun's own
      // limit would answer a bare 413 instead, so it is left out of the way.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    }));
    const scheduler = new Scheduler({ service });
    if (reachable) await scheduler.start();
    else void startSchedulerOnceStoreAnswers(scheduler, store, closing.signal);
    const openedStore = store;
    const runningWorkers = workers;
    const runningDuties = duties;
    let stopped = false;
    const hurry = new AbortController();
    return {
      url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${server.port}`,
      port: server.port!,
      service,
      store: openedStore,
      monitor,
      app,
      hurry: () => hurry.abort(),
      async stop() {
        if (stopped) return;
        stopped = true;
        closing.abort();
        await scheduler.stop();
        await runningWorkers.shutDown(config.graceMs ?? 0, hurry.signal);
        await runningDuties.stop();
        await service.stop();
        // Alert notices still on their way (a webhook being retried) get a while to land: they are not kept for the next start.
        await waitAtMost(monitor.notifier.idle(), NOTICES_GRACE_MS, hurry.signal);
        // Streams and long polls have been told to end; a client that keeps a connection open
        // past that (a half-read stream) is cut rather than holding the shutdown forever.
        const cut = setTimeout(() => void server.stop(true), 2000);
        await server.stop();
        clearTimeout(cut);
        await openedStore.close();
        lock?.release();
      },
    };
  } catch (err) {
    await listener?.stop(true);
    await workers?.shutDown(0);
    await duties?.stop();
    closing.abort();
    if (store) await store.close();
    lock?.release();
    throw err;
  }
}

/** Bun.serve on the configured address; an address it cannot take (in use, not this machine's) is a CannotStart in one line. */
function listen(config: Pick<ServeConfig, "host" | "port">, options: Omit<Parameters<typeof Bun.serve>[0], "hostname" | "port">): ReturnType<typeof Bun.serve> {
  try {
    return Bun.serve({ ...options, hostname: config.host, port: config.port } as Parameters<typeof Bun.serve>[0]);
  } catch (err) {
    const code = (err as { code?: string }).code;
    const why = code === "EADDRINUSE" ? "another process is using that port; stop it or pass another --port"
      : code === "EADDRNOTAVAIL" ? "no network interface of this machine has that address; check --host"
      : code === "EACCES" ? "this user may not listen on that port (ports below 1024 need privileges); pass another --port"
      : (err as Error).message;
    throw new CannotStart(`cannot listen on ${config.host}:${config.port}: ${why}`);
  }
}

function storeConfigOf(config: ServeConfig, dataDir: string): StoreConfig {
  if (config.redis) return { kind: "redis", ...config.redis, log: (line) => console.error(line) };
  return { kind: "sqlite", path: join(dataDir, "spool.db"), durability: config.durability, busyTimeoutMs: config.busyTimeoutMs };
}

/**
 * Whether the store answers at start. SQLite does (or it failed to open). Redis gets a few
 * seconds; when it answers, its settings are checked (either warning can mean lost jobs),
 * and when it does not, spool says it waits for it and checks once it answers.
 */
async function firstContact(store: Store, signal: AbortSignal): Promise<boolean> {
  const redis = redisConnectionOf(store);
  if (!redis) return true;
  const warn = async () => {
    for (const line of await redis.persistenceWarnings()) console.error(line);
  };
  if (await redis.firstContact(REDIS_START_WAIT_MS)) {
    await warn();
    return true;
  }
  console.error(`spool: waiting for Redis at ${redis.address} (${redis.problem}); until it answers, requests get 503 and /readyz says not ready`);
  void storeAnswers(store, signal).then(async () => {
    if (signal.aborted) return;
    console.error(`spool: Redis at ${redis.address} answers`);
    await warn().catch(() => {});
  });
  return false;
}

/** Starts the scheduler once the store answers; a start that storage refuses (Redis gone again) waits for it again. */
async function startSchedulerOnceStoreAnswers(scheduler: Scheduler, store: Store, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    await storeAnswers(store, signal);
    if (signal.aborted) return;
    try {
      await scheduler.start();
      return;
    } catch (err) {
      await scheduler.stop();
      if (!(err instanceof StorageUnavailable)) return console.error("spool: the scheduler could not start:", err);
    }
  }
}
