/** BullMQ on a private redis-server: the same enqueue and end-to-end scenarios as spool in-process. */
import { Queue, Worker } from "bullmq";
import { fmtRate, progress, rate, withDeadline, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { startRedis } from "./redis-server.ts";
import { onCleanup } from "./resources.ts";
import { CONCURRENCIES, LIVE_BATCH } from "./spool-core.ts";

export type BullConnection = { host: string; port: number; maxRetriesPerRequest: null };

/**
 * Completed and failed jobs are kept (removeOnComplete/removeOnFail false), as spool keeps
 * finished rows until retention removes them, so both engines write the same history.
 */
export function openQueue(connection: BullConnection, name: string): Queue {
  const queue = new Queue(name, { connection, defaultJobOptions: { removeOnComplete: false, removeOnFail: false } });
  onCleanup(() => queue.close());
  return queue;
}

const jobs = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ name: "job", data: { n: from + i } }));

export async function addBatches(queue: Queue, n: number, batch = 1000): Promise<void> {
  for (let i = 0; i < n; i += batch) await queue.addBulk(jobs(i, Math.min(batch, n - i)));
}

/**
 * Runs a Worker (no-op processor, `concurrency`) until `n` jobs completed; `produce` runs
 * once the worker started. Returns the elapsed ms from the worker's start.
 */
export async function drain(connection: BullConnection, name: string, concurrency: number, n: number, timeoutMs: number, produce?: () => Promise<void>) {
  let done = 0;
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
  const worker = new Worker(name, async () => {}, { connection, concurrency, autorun: false });
  onCleanup(() => worker.close(true));
  worker.on("completed", () => ++done === n && finish());
  worker.on("failed", (_job, err) => fail(err));
  worker.on("error", (err) => fail(err));
  await worker.waitUntilReady();
  const t0 = performance.now();
  void worker.run().catch(fail);
  if (produce) await produce();
  await withDeadline(finished, timeoutMs, `BullMQ worker on ${name}`);
  const ms = performance.now() - t0;
  await worker.close();
  return ms;
}

export async function runBullmq(o: BenchOptions): Promise<Figure[]> {
  const { port } = await startRedis();
  const connection: BullConnection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const figures: Figure[] = [];
  const record = (id: string, n: number, ms: number, label: string) => {
    figures.push({ id, engine: "bullmq", value: rate(n, ms), unit: "jobs/s" });
    progress(`BullMQ ${label}: ${fmtRate(rate(n, ms))}`);
  };

  await addBatches(openQueue(connection, "warmup"), 2000);
  await drain(connection, "warmup", 10, 2000, o.scenarioTimeoutMs);

  const single = openQueue(connection, "enqueue-single");
  let t0 = performance.now();
  const until = t0 + o.scenarioTimeoutMs;
  let added = 0;
  while (added < o.singleJobs && performance.now() < until) await single.add("job", { n: added++ });
  if (added < o.singleJobs) throw new Error(`add one at a time: ${added} of ${o.singleJobs} jobs before the deadline`);
  record("enqueue.single", added, performance.now() - t0, "add one at a time");

  t0 = performance.now();
  await withDeadline(addBatches(openQueue(connection, "enqueue-batch"), o.jobs), o.scenarioTimeoutMs, "addBulk");
  record("enqueue.batch", o.jobs, performance.now() - t0, "addBulk of 1000");

  for (const c of CONCURRENCIES) {
    const name = `e2e-c${c}`;
    await addBatches(openQueue(connection, name), o.jobs);
    record(`e2e.c${c}`, o.jobs, await drain(connection, name, c, o.jobs, o.scenarioTimeoutMs), `end-to-end c=${c}, jobs added beforehand`);
  }

  const live = openQueue(connection, "e2e-live-c10");
  const ms = await drain(connection, "e2e-live-c10", 10, o.jobs, o.scenarioTimeoutMs, () => addBatches(live, o.jobs, LIVE_BATCH));
  record("e2e.live.c10", o.jobs, ms, `end-to-end c=10, addBulk of ${LIVE_BATCH} while running`);
  return figures;
}
