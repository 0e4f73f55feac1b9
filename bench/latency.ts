/**
 * How fast jobs reach the code that runs them: enqueue → handler start latency at a steady
 * 500 jobs/s for a long-polling HTTP worker (server and worker in their own processes) and
 * for an in-process worker; end-to-end throughput of the in-process runner at concurrency
 * 10; and push-target throughput to a loopback receiver (its own process) at concurrency 10.
 *
 *   bun bench/latency.ts [--quick]          prints the figures as JSON (progress on stderr)
 *   runLatencyBench({ ... })                returns them, for the benchmark suite
 * The same file also plays the HTTP worker and the receiver (`--role http-worker|receiver`).
 */
import { join } from "node:path";
import { systemClock } from "../src/core/clock.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { PushDispatcher } from "../src/workers/push-dispatcher.ts";
import { openSpool, type Spool } from "../src/workers/spool.ts";
import { WorkerRegistry } from "../src/workers/worker-registry.ts";
import { fmtMs, fmtRate, percentile, progress, rate, waitUntil, withDeadline, type Figure } from "./measure.ts";
import { cleanup, onCleanup, stopProcess, tempDir } from "./resources.ts";

export type LatencyBenchOptions = {
  /** Timed jobs per latency case, after a warm-up of a tenth as many. */
  samples: number;
  /** Enqueue rate of the latency cases, jobs/s. */
  ratePerSecond: number;
  /** Jobs per throughput case. */
  jobs: number;
  /** Upper bound for any one case, ms. */
  timeoutMs: number;
};

export const DEFAULT_LATENCY_OPTIONS: LatencyBenchOptions = { samples: 5000, ratePerSecond: 500, jobs: 20_000, timeoutMs: 180_000 };
export const QUICK_LATENCY_OPTIONS: LatencyBenchOptions = { samples: 500, ratePerSecond: 500, jobs: 2000, timeoutMs: 60_000 };

const MAIN = join(import.meta.dir, "../src/main.ts");
const epochMs = () => performance.timeOrigin + performance.now();

export async function runLatencyBench(partial: Partial<LatencyBenchOptions> = {}): Promise<Figure[]> {
  const o = { ...DEFAULT_LATENCY_OPTIONS, ...partial };
  const figures: Figure[] = [];
  const latency = (id: string, label: string, samples: number[]) => {
    for (const p of [50, 99]) figures.push({ id: `${id}.p${p}`, engine: "spool", value: percentile(samples, p), unit: "ms" });
    progress(`${label}: p50 ${fmtMs(percentile(samples, 50))}, p99 ${fmtMs(percentile(samples, 99))} (${samples.length} jobs at ${o.ratePerSecond}/s)`);
  };
  const throughput = (id: string, label: string, jobs: number, ms: number) => {
    figures.push({ id, engine: "spool", value: rate(jobs, ms), unit: "jobs/s" });
    progress(`${label}: ${fmtRate(rate(jobs, ms))}`);
  };
  latency("start.http", "enqueue → start, long-polling HTTP worker", await httpWorkerLatency(o));
  latency("start.inprocess", "enqueue → start, in-process worker", await inProcessLatency(o));
  const runner = await runnerThroughput(o);
  throughput("e2e.runner.c10", "in-process runner c=10, jobs enqueued beforehand", o.jobs, runner.beforehand);
  throughput("e2e.runner.live.c10", "in-process runner c=10, enqueued in batches of 100 while running", o.jobs, runner.live);
  throughput("push.c10", "push target c=10, loopback receiver", o.jobs, await pushThroughput(o));
  return figures;
}

/** Enqueues `n` jobs at a steady rate, each carrying the time its enqueue began. */
async function produceAtRate(n: number, perSecond: number, enqueue: (payload: { t: number }) => Promise<unknown>): Promise<void> {
  const interval = 1000 / perSecond;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = t0 + i * interval - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    await enqueue({ t: epochMs() });
  }
}

async function httpWorkerLatency(o: LatencyBenchOptions): Promise<number[]> {
  const url = await startServeProcess();
  const total = o.samples + Math.ceil(o.samples / 10);
  const worker = Bun.spawn([process.execPath, import.meta.path, "--role", "http-worker", url, "latency", String(total)], { stdout: "pipe", stderr: "inherit" });
  onCleanup(() => stopProcess(worker));
  const samplesOut = new Response(worker.stdout).text();
  await waitUntil(async () => ((await (await fetch(`${url}/v1/workers`)).json()) as any).workers.some((w: any) => w.name === "bench latency"), 10_000, "the HTTP worker");
  const enqueue = (payload: unknown) => fetch(`${url}/v1/queues/latency/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ payload }) });
  await withDeadline(produceAtRate(total, o.ratePerSecond, enqueue), o.timeoutMs, "enqueueing for the HTTP worker");
  const samples = JSON.parse(await withDeadline(samplesOut, o.timeoutMs, "the HTTP worker's samples")) as number[];
  return samples.slice(total - o.samples);
}

async function inProcessLatency(o: LatencyBenchOptions): Promise<number[]> {
  const spool = await benchSpool();
  const total = o.samples + Math.ceil(o.samples / 10);
  const samples: number[] = [];
  let finished!: () => void;
  const all = new Promise<void>((resolve) => (finished = resolve));
  spool.work("latency", (job) => {
    samples.push(epochMs() - (job.payload as { t: number }).t);
    if (samples.length === total) finished();
  }, { concurrency: 10 });
  await withDeadline(produceAtRate(total, o.ratePerSecond, (payload) => spool.enqueue("latency", payload)), o.timeoutMs, "enqueueing in-process");
  await withDeadline(all, o.timeoutMs, "the in-process worker");
  return samples.slice(total - o.samples);
}

/** ms to run `jobs` no-op jobs with concurrency 10: enqueued beforehand, and enqueued while running. */
async function runnerThroughput(o: LatencyBenchOptions): Promise<{ beforehand: number; live: number }> {
  const spool = await benchSpool();
  const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ payload: { n: i } }));
  const completedOf = async (queue: string) => (await spool.service.getQueue(queue)).counts.completed;
  for (let i = 0; i < o.jobs; i += 1000) await spool.enqueueMany("e2e", batch(Math.min(1000, o.jobs - i)));
  let t0 = performance.now();
  const first = spool.work("e2e", () => {}, { concurrency: 10 });
  await waitUntil(async () => (await completedOf("e2e")) === o.jobs, o.timeoutMs, "the in-process runner");
  const beforehand = performance.now() - t0;
  await first.stop();

  t0 = performance.now();
  spool.work("e2e-live", () => {}, { concurrency: 10 });
  for (let i = 0; i < o.jobs; i += 100) await spool.enqueueMany("e2e-live", batch(Math.min(100, o.jobs - i)));
  await waitUntil(async () => (await completedOf("e2e-live")) === o.jobs, o.timeoutMs, "the in-process runner while enqueueing");
  return { beforehand, live: performance.now() - t0 };
}

/** ms to deliver `jobs` jobs to a receiver in its own process, 10 at a time. */
async function pushThroughput(o: LatencyBenchOptions): Promise<number> {
  const receiver = Bun.spawn([process.execPath, import.meta.path, "--role", "receiver"], { stdout: "pipe", stderr: "inherit" });
  onCleanup(() => stopProcess(receiver));
  const url = (await firstLine(receiver.stdout)).trim();
  const store = new SqliteStore({ path: join(tempDir(), "spool.db") });
  onCleanup(() => store.close());
  const service = new QueueService({ store, clock: systemClock });
  const queue = await service.getQueue("push");
  await service.putQueue("push", { ...queue, target: { url, concurrency: 10 } });
  for (let i = 0; i < o.jobs; i += 1000) await service.enqueueMany("push", Array.from({ length: Math.min(1000, o.jobs - i) }, (_, n) => ({ payload: { n } })));
  const dispatcher = new PushDispatcher({ service, registry: new WorkerRegistry({ store, clock: systemClock }) });
  onCleanup(() => dispatcher.stop(0));
  const t0 = performance.now();
  await dispatcher.start();
  await waitUntil(async () => (await service.getQueue("push")).counts.completed === o.jobs, o.timeoutMs, "push deliveries");
  return performance.now() - t0;
}

async function benchSpool(): Promise<Spool> {
  const spool = await openSpool({ data: tempDir() });
  onCleanup(() => spool.close(0));
  return spool;
}

async function startServeProcess(): Promise<string> {
  const proc = Bun.spawn([process.execPath, MAIN, "serve", "--port", "0", "--data", tempDir(), "--grace", "0s"], { stdout: "pipe", stderr: "inherit" });
  onCleanup(() => stopProcess(proc));
  const line = await withDeadline(firstLine(proc.stdout), 15_000, "spool serve to start");
  const url = line.match(/listening on (http:\/\/\S+)/)?.[1];
  if (!url) throw new Error(`spool serve said: ${line}`);
  return url;
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  // Keep draining so the child never blocks on a full pipe.
  void (async () => {
    while (!(await reader.read()).done);
  })();
  return text.split("\n")[0]!;
}

/** The HTTP worker: long-polls, records enqueue → start for each job, completes in batches; prints its samples. */
async function playHttpWorker(url: string, queue: string, total: number): Promise<void> {
  const post = async (path: string, body: unknown) =>
    (await (await fetch(url + path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as any;
  const samples: number[] = [];
  while (samples.length < total) {
    const { jobs } = await post(`/v1/queues/${queue}/claim`, { workerId: `bench-latency-${process.pid}`, name: "bench latency", max: 10, waitMs: 25_000 });
    for (const job of jobs) samples.push(epochMs() - job.payload.t);
    if (jobs.length) await post("/v1/jobs/complete", { items: jobs.map((j: any) => ({ id: j.id, token: j.lease.token })) });
  }
  process.stdout.write(JSON.stringify(samples) + "\n");
}

function playReceiver(): void {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => Response.json({ ok: true }) });
  process.stdout.write(`${server.url}\n`);
}

if (import.meta.main) {
  const args = process.argv.slice(2);
  if (args[0] === "--role" && args[1] === "http-worker") await playHttpWorker(args[2]!, args[3]!, Number(args[4]));
  else if (args[0] === "--role" && args[1] === "receiver") playReceiver();
  else {
    try {
      const figures = await runLatencyBench(args.includes("--quick") ? QUICK_LATENCY_OPTIONS : DEFAULT_LATENCY_OPTIONS);
      process.stdout.write(JSON.stringify(figures, null, 2) + "\n");
    } finally {
      await cleanup();
    }
  }
}
