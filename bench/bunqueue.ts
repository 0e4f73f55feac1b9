/**
 * bunqueue embedded (its own SQLite file, in this process): the same enqueue and in-process
 * worker scenarios as spool in-process, with its default buffered writes and with `durable: true`.
 */
import { Queue, Worker, shutdownManager, type JobOptions } from "bunqueue/client";
import { fmtRate, progress, rate, withDeadline, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { onCleanup, tempDir } from "./resources.ts";
import { CONCURRENCIES } from "./spool-core.ts";

// One embedded manager (one SQLite database) serves the whole process: every Queue and
// Worker must name the same dataPath.
type Embedded = { embedded: true; dataPath: string };

/** Finished jobs are kept, as spool keeps finished rows and the BullMQ suite keeps its jobs. */
const KEEP: JobOptions = { removeOnComplete: false, removeOnFail: false };

function openQueue(db: Embedded, name: string): Queue {
  const queue = new Queue(name, { ...db, defaultJobOptions: KEEP });
  onCleanup(() => queue.close());
  return queue;
}

const jobs = (from: number, n: number, opts: JobOptions) => Array.from({ length: n }, (_, i) => ({ name: "job", data: { n: from + i }, opts }));

async function addBatches(queue: Queue, n: number, opts: JobOptions, batch = 1000): Promise<void> {
  for (let i = 0; i < n; i += batch) await queue.addBulk(jobs(i, Math.min(batch, n - i), opts));
}

/** Runs a Worker (no-op processor, `concurrency`, default options otherwise) until `n` jobs completed; returns the elapsed ms. */
async function drain(db: Embedded, name: string, concurrency: number, n: number, timeoutMs: number): Promise<number> {
  let done = 0;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const worker = new Worker(name, async () => {}, { ...db, concurrency, autorun: false });
  onCleanup(() => worker.close(true));
  worker.on("completed", () => ++done === n && finish());
  worker.on("failed", (_job, err) => fail(err));
  worker.on("error", (err) => fail(err));
  const t0 = performance.now();
  worker.run();
  await withDeadline(finished, timeoutMs, `bunqueue worker on ${name}`);
  const ms = performance.now() - t0;
  await worker.close();
  return ms;
}

export async function runBunqueue(o: BenchOptions): Promise<Figure[]> {
  const db: Embedded = { embedded: true, dataPath: tempDir() + "/bunqueue.db" };
  onCleanup(() => shutdownManager());
  const figures: Figure[] = [];
  const record = (id: string, n: number, ms: number, label: string) => {
    figures.push({ id, engine: "bunqueue", value: rate(n, ms), unit: "jobs/s" });
    progress(`bunqueue ${label}: ${fmtRate(rate(n, ms))}`);
  };

  await addBatches(openQueue(db, "warmup"), 2000, { durable: true });
  await drain(db, "warmup", 10, 2000, o.scenarioTimeoutMs);

  for (const [suffix, opts, mode] of [["", {}, "buffered"], [".durable", { durable: true }, "durable: true"]] as const) {
    const single = openQueue(db, `enqueue-single${suffix}`);
    const t0 = performance.now();
    const until = t0 + o.scenarioTimeoutMs;
    let added = 0;
    while (added < o.singleJobs && performance.now() < until) await single.add("job", { n: added++ }, opts);
    if (added < o.singleJobs) throw new Error(`add one at a time (${mode}): ${added} of ${o.singleJobs} jobs before the deadline`);
    record(`enqueue.single${suffix}`, added, performance.now() - t0, `add one at a time, ${mode}`);
  }

  for (const [suffix, opts, mode] of [["", {}, "buffered"], [".durable", { durable: true }, "durable: true"]] as const) {
    const t0 = performance.now();
    await withDeadline(addBatches(openQueue(db, `enqueue-batch${suffix}`), o.jobs, opts), o.scenarioTimeoutMs, `addBulk (${mode})`);
    record(`enqueue.batch${suffix}`, o.jobs, performance.now() - t0, `addBulk of 1000, ${mode}`);
  }

  // Jobs added with durable: true, so that what the worker runs is on disk as spool's rows are;
  // a completion is written to SQLite when the Worker's acknowledgement batch reaches the manager.
  for (const c of CONCURRENCIES) {
    const name = `worker-c${c}`;
    await addBatches(openQueue(db, name), o.jobs, { durable: true });
    record(`worker.c${c}`, o.jobs, await drain(db, name, c, o.jobs, o.scenarioTimeoutMs), `Worker c=${c}, jobs added (durable) beforehand`);
  }
  return figures;
}
