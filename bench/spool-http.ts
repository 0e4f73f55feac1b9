/** spool over HTTP: the real server as a child process, pull workers in another process. */
import fs from "node:fs";
import path from "node:path";
import { fmtRate, progress, rate, waitUntil, withDeadline, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { freePort, onCleanup, stopProcess, tempDir } from "./resources.ts";
import type { HttpWorkersConfig } from "./http-workers.ts";

/** Worker shapes: `loops` concurrent workers each claiming up to `max`; loops × max jobs in flight. */
export const HTTP_SHAPES = [
  { loops: 1, max: 1 },
  { loops: 10, max: 1 },
  { loops: 1, max: 10 },
  { loops: 50, max: 1 },
  { loops: 5, max: 10 },
  { loops: 1, max: 50 },
] as const;

const ROOT = path.resolve(import.meta.dir, "..");

/** The last lines of the server's log, to explain a failure. */
export const logTail = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trimEnd().split("\n").slice(-30).join("\n") : "");

/** A `spool serve` child process; `stop()` ends it (it is also stopped at cleanup). */
export type SpoolServer = { url: string; log: string; pid: number; stop: () => Promise<void> };

/** Starts `spool serve` on a free port with its own data folder; `args` are added to its command line. */
export async function startServer(args: string[] = []): Promise<SpoolServer> {
  const dir = tempDir();
  const port = await freePort();
  const log = path.join(dir, "server.log");
  const logFd = fs.openSync(log, "a");
  onCleanup(() => fs.closeSync(logFd));
  const proc = Bun.spawn([process.execPath, "src/main.ts", "serve", "--port", String(port), "--data", path.join(dir, "data"), ...args], {
    cwd: ROOT,
    // The server runs with its defaults: no SPOOL_* settings (tokens, limits) from this shell.
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_"))),
    stdout: logFd,
    stderr: logFd,
  });
  const stop = () => stopProcess(proc);
  onCleanup(stop);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => {
      if (proc.exitCode !== null) throw new Error(`spool serve exited with code ${proc.exitCode}`);
      return fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    }, 20_000, "spool serve");
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver log:\n${logTail(log)}`);
  }
  progress(`spool serve on ${url} (pid ${proc.pid})`);
  return { url, log, pid: proc.pid, stop };
}

/** Enqueues `n` jobs over HTTP, 1000 per request. */
export async function enqueueBatches(url: string, queue: string, n: number): Promise<void> {
  for (let i = 0; i < n; i += 1000) {
    const jobs = Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ payload: { n: i + k } }));
    const res = await fetch(`${url}/v1/queues/${queue}/jobs/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jobs }),
    });
    if (res.status !== 201) throw new Error(`batch enqueue → ${res.status} ${await res.text()}`);
  }
}

/** Runs HTTP workers in their own process until the queue is empty; `cpuMs` is the CPU time that process used. */
export async function runWorkers(config: HttpWorkersConfig): Promise<{ completed: number; ms: number; cpuMs: number }> {
  const proc = Bun.spawn([process.execPath, path.join(import.meta.dir, "http-workers.ts"), JSON.stringify(config)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  onCleanup(() => stopProcess(proc));
  const out = await withDeadline(new Response(proc.stdout).text(), config.timeoutMs + 10_000, "HTTP workers");
  if ((await proc.exited) !== 0) throw new Error(`HTTP workers exited with code ${proc.exitCode}`);
  return JSON.parse(out);
}

export async function runSpoolHttp(o: BenchOptions): Promise<Figure[]> {
  const { url, log } = await startServer();
  try {
    return await runScenarios(url, o);
  } catch (err) {
    throw new Error(`${(err as Error).message}\nserver log:\n${logTail(log)}`);
  }
}

async function runScenarios(url: string, o: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];

  await enqueueBatches(url, "warmup", 2000);
  await runWorkers({ urls: [url], queue: "warmup", loops: 10, max: 1, timeoutMs: o.scenarioTimeoutMs });

  const t0 = performance.now();
  await withDeadline(enqueueBatches(url, "http-enqueue", o.jobs), o.scenarioTimeoutMs, "HTTP batch enqueue");
  const enqueueRate = rate(o.jobs, performance.now() - t0);
  figures.push({ id: "http.enqueue.batch", engine: "spool", value: enqueueRate, unit: "jobs/s" });
  progress(`spool HTTP enqueue, batches of 1000 per request: ${fmtRate(enqueueRate)}`);

  /** Drains o.jobs jobs through HTTP workers of one shape, recorded as the figure `id`. */
  const measure = async (id: string, label: string, shape: Pick<HttpWorkersConfig, "loops" | "max" | "finishInClaim" | "client">) => {
    const queue = id.replaceAll(".", "-");
    await enqueueBatches(url, queue, o.jobs);
    const { completed, ms } = await runWorkers({ urls: [url], queue, ...shape, timeoutMs: o.scenarioTimeoutMs });
    if (completed !== o.jobs) throw new Error(`${label}: completed ${completed} of ${o.jobs} jobs`);
    figures.push({ id, engine: "spool", value: rate(completed, ms), unit: "jobs/s" });
    progress(`spool ${label}: ${fmtRate(rate(completed, ms))}`);
  };
  // The jobs a worker ran are finished with its next claim (its `finished`), as both clients do.
  for (const { loops, max } of HTTP_SHAPES) {
    await measure(`http.${loops}x${max}`, `HTTP ${loops} worker(s) × claim ${max}`, { loops, max, finishInClaim: true });
  }
  // The same loops on spool/client's HTTP (its own sockets) instead of fetch: what a worker on spool/client pays per request.
  for (const max of [1, 10]) {
    await measure(`http.1x${max}.client`, `HTTP 1 worker × claim ${max} on spool/client's HTTP`, { loops: 1, max, finishInClaim: true, client: "spool/client" });
  }
  // For comparison, a worker that completes each job with a request of its own: two per job.
  await measure("http.1x1.own-complete", "HTTP 1 worker × claim 1, completing with a request of its own", { loops: 1, max: 1, finishInClaim: false });
  return figures;
}
