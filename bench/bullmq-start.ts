/** BullMQ enqueue → processor start latency at a steady rate, the counterpart of bench/latency.ts. */
import { Worker } from "bullmq";
import { fmtMs, percentile, progress, withDeadline, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { openQueue, type BullConnection } from "./bullmq.ts";
import { startRedis } from "./redis-server.ts";
import { onCleanup } from "./resources.ts";

const RATE = 500;
const epochMs = () => performance.timeOrigin + performance.now();

/** A Worker (concurrency 10, as spool's in-process case) records now − enqueue time of each job it starts. */
export async function runBullmqStart(o: BenchOptions): Promise<Figure[]> {
  const { port } = await startRedis();
  const connection: BullConnection = { host: "127.0.0.1", port, maxRetriesPerRequest: null };
  const queue = openQueue(connection, "start-latency");
  const total = o.samples + Math.ceil(o.samples / 10);
  const samples: number[] = [];
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  const worker = new Worker(
    "start-latency",
    async (job) => {
      samples.push(epochMs() - (job.data as { t: number }).t);
      if (samples.length === total) finished();
    },
    { connection, concurrency: 10 },
  );
  onCleanup(() => worker.close(true));
  await worker.waitUntilReady();
  const t0 = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = t0 + (i * 1000) / RATE - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    await queue.add("job", { t: epochMs() });
  }
  await withDeadline(all, o.scenarioTimeoutMs, "BullMQ start latency");
  const timed = samples.slice(total - o.samples);
  progress(`BullMQ enqueue → start at ${RATE}/s: p50 ${fmtMs(percentile(timed, 50))}, p99 ${fmtMs(percentile(timed, 99))}`);
  return [50, 99].map((p) => ({ id: `start.bullmq.p${p}`, engine: "bullmq" as const, value: percentile(timed, p), unit: "ms" as const }));
}
