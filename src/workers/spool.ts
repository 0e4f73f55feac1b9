/** spool as a library: open an embedded store, enqueue, and run handlers in-process. */
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { systemClock, type Clock } from "../core/clock.ts";
import type { EnqueueOptions, Job } from "../core/job.ts";
import { QueueService } from "../core/queue-service.ts";
import type { Store } from "../core/store.ts";
import { IntervalDuties } from "../duties/interval-duties.ts";
import { openStore } from "../store/open-store.ts";
import { lockDataFolder, type DataLock } from "../store/sqlite/data-lock.ts";
import { CompletionBatch } from "./completion-batch.ts";
import type { Handler } from "./handler.ts";
import { JobRunner, type WorkOptions } from "./job-runner.ts";
import { WorkerRegistry } from "./worker-registry.ts";

export type OpenSpoolOptions = {
  /** Data folder of the embedded SQLite store (default ./spool-data); locked like `spool serve` locks it. */
  data?: string;
  durability?: "normal" | "full";
  /**
   * Use the queue in this Redis (`redis://…`, `rediss://…` for TLS) instead of SQLite: shared
   * with every spool server and process pointed at the same Redis and prefix. No data folder is used.
   */
  redis?: string;
  /** Key prefix in Redis (default "spool"), as `spool serve --redis-prefix`. */
  redisPrefix?: string;
  /** A store to use instead of opening one (it is closed by `close()`). */
  store?: Store;
  clock?: Clock;
  /** How often an idle worker's long poll looks again by itself (default 1 s); enqueues through this spool wake it at once. */
  longPollRecheckMs?: number;
};

/** Pieces an already running spool shares with the library's API (as `spool serve --handlers` does). */
export type SpoolParts = { service: QueueService; registry: WorkerRegistry; onClose?: () => Promise<void> };

export class Spool {
  readonly service: QueueService;
  readonly workers: WorkerRegistry;
  private readonly completions: CompletionBatch;
  private readonly runners = new Set<JobRunner>();
  private readonly onClose: () => Promise<void>;
  private closed = false;

  constructor(parts: SpoolParts) {
    this.service = parts.service;
    this.workers = parts.registry;
    this.completions = new CompletionBatch(parts.service);
    this.onClose = parts.onClose ?? (async () => {});
  }

  /** Enqueues one job; an idempotency hit returns the existing job. */
  async enqueue(queue: string, payload: unknown, options: Omit<EnqueueOptions, "payload"> = {}): Promise<Job> {
    return (await this.service.enqueue(queue, { ...options, payload })).job;
  }

  /** Enqueues all jobs or none. */
  async enqueueMany(queue: string, jobs: EnqueueOptions[]): Promise<Job[]> {
    return (await this.service.enqueueMany(queue, jobs)).map((o) => o.job);
  }

  getJob(id: string): Promise<Job> {
    return this.service.getJob(id);
  }

  /** Runs `handler` for the queue's jobs until the returned worker is stopped (or told to shut down). */
  work<P = any, R = unknown>(queue: string, handler: Handler<P, R>, options: WorkOptions = {}): JobRunner {
    if (this.closed) throw new Error("spool is closed");
    const runner = new JobRunner({ service: this.service, registry: this.workers, completions: this.completions }, queue, handler as Handler, options);
    this.runners.add(runner);
    void runner.stopped.finally(() => this.runners.delete(runner));
    return runner;
  }

  /** Every worker started here, still running. */
  get runningWorkers(): JobRunner[] {
    return [...this.runners];
  }

  /**
   * Stops every worker (running jobs get `graceMs` to finish, then are released), then the
   * interval duties and the store.
   */
  async close(graceMs = 30_000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopWorkers(graceMs);
    await this.onClose();
  }

  /** Stops every worker started here: no more claims; running jobs get graceMs to finish, then are released. */
  async stopWorkers(graceMs = 30_000): Promise<void> {
    await Promise.all([...this.runners].map((r) => r.stop(graceMs)));
  }
}

/**
 * Opens spool in this process: an embedded SQLite store (or Redis, or the given store), the
 * queue service and the interval duties (lease reaper, delayed promotion, expiries).
 */
export async function openSpool(options: OpenSpoolOptions = {}): Promise<Spool> {
  const clock = options.clock ?? systemClock;
  let lock: DataLock | null = null;
  let store = options.store;
  if (!store && options.redis !== undefined) {
    store = await openStore({ kind: "redis", url: options.redis, prefix: options.redisPrefix });
  } else if (!store) {
    const dir = resolve(options.data ?? "./spool-data");
    mkdirSync(dir, { recursive: true });
    lock = lockDataFolder(dir);
    try {
      store = await openStore({ kind: "sqlite", path: join(dir, "spool.db"), durability: options.durability });
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  const opened = store;
  const service = new QueueService({ store: opened, clock, recheckMs: options.longPollRecheckMs });
  const duties = new IntervalDuties({ ctx: { service } });
  duties.start();
  return new Spool({
    service,
    registry: new WorkerRegistry({ store: opened, clock, shared: options.redis !== undefined }),
    async onClose() {
      await duties.stop();
      await service.stop();
      await opened.close();
      lock?.release();
    },
  });
}
