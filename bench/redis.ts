/**
 * spool on Redis vs BullMQ on one private redis-server (AOF, fsync every second) that both
 * use: enqueue one at a time and in batches, and end-to-end no-op jobs through each engine's
 * in-process worker at concurrency 10 and 50, the engines interleaved round by round; then
 * `spool serve --redis` with HTTP workers, one server against two (redis-serve.ts).
 */
import { systemClock } from "../src/core/clock.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { RedisStore } from "../src/store/redis/redis-store.ts";
import { addBatches, drain as drainBullmq, openQueue, type BullConnection } from "./bullmq.ts";
import { fmtRate, progress, rate, type Engine, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { waitForQuiet } from "./process-cpu.ts";
import { startRedis } from "./redis-server.ts";
import { runRedisServe } from "./redis-serve.ts";
import { onCleanup } from "./resources.ts";
import { drainWithWorker, enqueueBatches } from "./spool-core.ts";

/** Concurrency of the in-process workers (and jobs in flight of the HTTP workers). */
export const REDIS_CONCURRENCIES = [10, 50] as const;
/** The in-process spool's keys; BullMQ's start with `bull:`, the servers' with their own prefix. */
const SPOOL_PREFIX = "spool-bench";

/** What a round asks of each engine; each returns the elapsed ms of its timed part. */
type EngineBench = {
  engine: Engine;
  label: string;
  enqueueSingle(queue: string, n: number, deadline: number): Promise<number>;
  enqueueBatches(queue: string, n: number): Promise<number>;
  /** Enqueues `n` jobs in batches of 1000, untimed. */
  fill(queue: string, n: number): Promise<void>;
  /** Runs the in-process worker at `concurrency` until `n` jobs completed. */
  drain(queue: string, concurrency: number, n: number, timeoutMs: number): Promise<number>;
};

const timed = async (work: () => Promise<unknown>) => {
  const t0 = performance.now();
  await work();
  return performance.now() - t0;
};

/** spool in-process on a RedisStore: QueueService for enqueues, spool.work for the worker. */
function spoolOnRedis(url: string): EngineBench {
  const store = new RedisStore({ url, prefix: SPOOL_PREFIX });
  onCleanup(() => store.close());
  const svc = new QueueService({ store, clock: systemClock });
  onCleanup(() => svc.stop());
  return {
    engine: "spool",
    label: "spool",
    async enqueueSingle(queue, n, deadline) {
      const t0 = performance.now();
      let enqueued = 0;
      while (enqueued < n && performance.now() < deadline) await svc.enqueue(queue, { payload: { n: enqueued++ } });
      if (enqueued < n) throw new Error(`spool enqueue one at a time: ${enqueued} of ${n} jobs before the deadline`);
      return performance.now() - t0;
    },
    enqueueBatches: (queue, n) => timed(() => enqueueBatches(svc, queue, n)),
    fill: (queue, n) => enqueueBatches(svc, queue, n),
    async drain(queue, concurrency, n, timeoutMs) {
      const t0 = performance.now();
      const done = await drainWithWorker(store, queue, concurrency, n, t0 + timeoutMs);
      const ms = performance.now() - t0;
      if (done !== n) throw new Error(`spool worker c=${concurrency}: completed ${done} of ${n} jobs before the deadline`);
      return ms;
    },
  };
}

function bullmqOn(connection: BullConnection): EngineBench {
  return {
    engine: "bullmq",
    label: "BullMQ",
    async enqueueSingle(name, n, deadline) {
      const queue = openQueue(connection, name);
      const t0 = performance.now();
      let added = 0;
      while (added < n && performance.now() < deadline) await queue.add("job", { n: added++ });
      if (added < n) throw new Error(`BullMQ add one at a time: ${added} of ${n} jobs before the deadline`);
      return performance.now() - t0;
    },
    async enqueueBatches(name, n) {
      const queue = openQueue(connection, name);
      return timed(() => addBatches(queue, n));
    },
    fill: (name, n) => addBatches(openQueue(connection, name), n),
    drain: (name, concurrency, n, timeoutMs) => drainBullmq(connection, name, concurrency, n, timeoutMs),
  };
}

export async function runRedis(o: BenchOptions): Promise<Figure[]> {
  const redis = await startRedis();
  const url = `redis://127.0.0.1:${redis.port}`;
  const engines = [spoolOnRedis(url), bullmqOn({ host: "127.0.0.1", port: redis.port, maxRetriesPerRequest: null })];
  const figures: Figure[] = [];
  // Each timed part starts once redis-server has finished what the last one left (AOF writes).
  const quiet = () => waitForQuiet([redis.pid]);

  for (const e of engines) {
    await e.fill("warmup", 2000);
    await e.drain("warmup", 10, 2000, o.scenarioTimeoutMs);
  }
  for (let round = 0; round < o.rounds; round++) {
    progress(`round ${round + 1} of ${o.rounds}`);
    const order = round % 2 ? [...engines].reverse() : engines;
    const record = (e: EngineBench, id: string, jobs: number, ms: number, label: string) => {
      figures.push({ id, engine: e.engine, value: rate(jobs, ms), unit: "jobs/s" });
      progress(`${e.label} on Redis ${label}: ${fmtRate(rate(jobs, ms))}`);
    };
    for (const e of order) {
      await quiet();
      const ms = await e.enqueueSingle(`enqueue-single-r${round}`, o.singleJobs, performance.now() + o.scenarioTimeoutMs);
      record(e, "redis.enqueue.single", o.singleJobs, ms, "enqueue one at a time");
    }
    for (const e of order) {
      await quiet();
      const ms = await e.enqueueBatches(`enqueue-batch-r${round}`, o.jobs);
      record(e, "redis.enqueue.batch", o.jobs, ms, "enqueue batches of 1000");
    }
    for (const c of REDIS_CONCURRENCIES) {
      for (const e of order) {
        const queue = `worker-c${c}-r${round}`;
        await e.fill(queue, o.jobs);
        await quiet();
        const ms = await e.drain(queue, c, o.jobs, o.scenarioTimeoutMs);
        record(e, `redis.worker.c${c}`, o.jobs, ms, `in-process worker c=${c}, jobs enqueued beforehand`);
      }
    }
  }
  figures.push(...(await runRedisServe(o, redis)));
  return figures;
}
