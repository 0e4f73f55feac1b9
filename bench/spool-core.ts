/** spool in-process: enqueue and end-to-end throughput through QueueService on SQLite, no HTTP. */
import { systemClock } from "../src/core/clock.ts";
import type { EnqueueOptions } from "../src/core/job.ts";
import { QueueService } from "../src/core/queue-service.ts";
import type { Store } from "../src/core/store.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { IntervalDuties } from "../src/duties/interval-duties.ts";
import { Spool } from "../src/workers/spool.ts";
import { WorkerRegistry } from "../src/workers/worker-registry.ts";
import { fmtRate, progress, rate, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { onCleanup, tempDir } from "./resources.ts";

export const CONCURRENCIES = [1, 10, 50] as const;
/** Jobs per enqueue while workers run (both engines use the same batch size). */
export const LIVE_BATCH = 100;

/** A QueueService on a fresh SQLite file (WAL, synchronous=NORMAL: the server's default), closed at cleanup. */
export function openSpool(): { svc: QueueService; store: SqliteStore } {
  const store = new SqliteStore({ path: tempDir() + "/spool.db" });
  onCleanup(() => store.close());
  return { svc: new QueueService({ store, clock: systemClock }), store };
}

const payloads = (from: number, n: number): EnqueueOptions[] => Array.from({ length: n }, (_, i) => ({ payload: { n: from + i } }));
const noop = async (_job: unknown) => {};

/** Enqueues `n` jobs in batches of `batch` (one enqueueMany call per batch, awaited in turn). */
export async function enqueueBatches(svc: QueueService, queue: string, n: number, batch = 1000): Promise<void> {
  for (let i = 0; i < n; i += batch) await svc.enqueueMany(queue, payloads(i, Math.min(batch, n - i)));
}

/**
 * `concurrency` loops, each claiming one job, running a no-op handler and completing it,
 * until the queue is drained. Returns the jobs completed.
 */
export async function drain(svc: QueueService, queue: string, concurrency: number, deadline: number): Promise<number> {
  let done = 0;
  const loop = async (w: number) => {
    while (performance.now() < deadline) {
      const [job] = await svc.claim({ queue, workerId: `bench-${w}`, max: 1 });
      if (!job) return;
      await noop(job);
      await svc.complete({ id: job.id, token: job.leaseToken! });
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  return done;
}

/** Like drain, but workers long-poll while a producer enqueues batches; ends when `n` jobs completed. */
async function drainWhileEnqueueing(svc: QueueService, queue: string, concurrency: number, n: number, deadline: number) {
  let done = 0;
  const stop = new AbortController();
  const loop = async (w: number) => {
    while (!stop.signal.aborted && performance.now() < deadline) {
      const [job] = await svc.claim({ queue, workerId: `bench-${w}`, max: 1, waitMs: 1000, signal: stop.signal });
      if (!job) continue;
      await noop(job);
      await svc.complete({ id: job.id, token: job.leaseToken! });
      if (++done >= n) stop.abort();
    }
  };
  const workers = Promise.all(Array.from({ length: concurrency }, (_, w) => loop(w)));
  for (let i = 0; i < n && performance.now() < deadline; i += LIVE_BATCH) {
    await svc.enqueueMany(queue, payloads(i, Math.min(LIVE_BATCH, n - i)));
  }
  await workers;
  return done;
}

/**
 * The in-process worker a Bun program would use: `spool.work(queue, handler, {concurrency})`,
 * which claims as many jobs as it has free slots and completes them in batches. Returns the
 * jobs completed when the queue is drained.
 */
export async function drainWithWorker(store: Store, queue: string, concurrency: number, n: number, deadline: number): Promise<number> {
  // As openSpool builds it (service, registry, interval duties), but closing it leaves the
  // caller's store open.
  const service = new QueueService({ store, clock: systemClock });
  const duties = new IntervalDuties({ ctx: { service } });
  duties.start();
  const spool = new Spool({
    service,
    registry: new WorkerRegistry({ store, clock: systemClock }),
    onClose: async () => {
      await duties.stop();
      await service.stop();
    },
  });
  let done = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = spool.work(queue, async () => {
    if (++done >= n) finish();
  }, { concurrency });
  const timer = setTimeout(finish, Math.max(0, deadline - performance.now()));
  await finished;
  clearTimeout(timer);
  await worker.stop(0);
  await spool.close(0);
  return done;
}

function expectAll(done: number, n: number, what: string): void {
  if (done !== n) throw new Error(`${what}: completed ${done} of ${n} jobs before the deadline`);
}

export async function runSpoolCore(o: BenchOptions): Promise<Figure[]> {
  const { svc, store } = openSpool();
  const figures: Figure[] = [];
  const record = (id: string, jobs: number, ms: number, label: string) => {
    figures.push({ id, engine: "spool", value: rate(jobs, ms), unit: "jobs/s" });
    progress(`spool ${label}: ${fmtRate(rate(jobs, ms))}`);
  };
  const deadline = () => performance.now() + o.scenarioTimeoutMs;

  await enqueueBatches(svc, "warmup", 2000);
  await drain(svc, "warmup", 10, deadline());

  let t0 = performance.now();
  const until = deadline();
  let enqueued = 0;
  while (enqueued < o.singleJobs && performance.now() < until) await svc.enqueue("enqueue-single", { payload: { n: enqueued++ } });
  expectAll(enqueued, o.singleJobs, "enqueue one at a time");
  record("enqueue.single", enqueued, performance.now() - t0, "enqueue one at a time");

  t0 = performance.now();
  await enqueueBatches(svc, "enqueue-batch", o.jobs);
  record("enqueue.batch", o.jobs, performance.now() - t0, "enqueue batches of 1000");

  for (const c of CONCURRENCIES) {
    const queue = `e2e-c${c}`;
    await enqueueBatches(svc, queue, o.jobs);
    t0 = performance.now();
    const done = await drain(svc, queue, c, deadline());
    const ms = performance.now() - t0;
    expectAll(done, o.jobs, `end-to-end c=${c}`);
    record(`e2e.c${c}`, done, ms, `end-to-end c=${c}, jobs enqueued beforehand`);
  }

  for (const c of CONCURRENCIES) {
    const queue = `worker-c${c}`;
    await enqueueBatches(svc, queue, o.jobs);
    t0 = performance.now();
    const done = await drainWithWorker(store, queue, c, o.jobs, deadline());
    const ms = performance.now() - t0;
    expectAll(done, o.jobs, `in-process worker c=${c}`);
    record(`worker.c${c}`, done, ms, `in-process worker (spool.work) c=${c}, jobs enqueued beforehand`);
  }

  t0 = performance.now();
  const done = await drainWhileEnqueueing(svc, "e2e-live-c10", 10, o.jobs, deadline());
  const ms = performance.now() - t0;
  expectAll(done, o.jobs, "end-to-end c=10 while enqueueing");
  record("e2e.live.c10", done, ms, `end-to-end c=10, enqueued in batches of ${LIVE_BATCH} while running`);
  return figures;
}
