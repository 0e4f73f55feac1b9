/**
 * The clients, each a worker in its own process: a Node worker on spool/client and a Python
 * worker on spool_client against the real server (`bun src/main.ts serve`, SQLite), and BullMQ's
 * Worker in a Node process on a private Redis; end-to-end no-op jobs at concurrency 10, jobs
 * enqueued beforehand. Figures `client.node.c10` (spool, bullmq) and `client.python.c10` (spool).
 */
import fs from "node:fs";
import path from "node:path";
import { Queue } from "bullmq";
import { SpoolClient } from "../clients/typescript/dist/client.js";
import { fmtRate, progress, rate, waitUntil, withDeadline, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { startRedis } from "./redis-server.ts";
import { freePort, onCleanup, stopProcess, tempDir } from "./resources.ts";

const ROOT = path.resolve(import.meta.dir, "..");
const CONCURRENCY = 10;

type Outcome = { completed: number; ms: number };

async function startServer(): Promise<string> {
  const dir = tempDir();
  const port = await freePort();
  const log = fs.openSync(path.join(dir, "server.log"), "a");
  onCleanup(() => fs.closeSync(log));
  const proc = Bun.spawn([process.execPath, "src/main.ts", "serve", "--port", String(port), "--data", path.join(dir, "data")], {
    cwd: ROOT,
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SPOOL_"))),
    stdout: log,
    stderr: log,
  });
  onCleanup(() => stopProcess(proc));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => {
    if (proc.exitCode !== null) throw new Error(`spool serve exited with code ${proc.exitCode}`);
    return fetch(`${url}/healthz`).then((r) => r.ok, () => false);
  }, 20_000, "spool serve");
  return url;
}

/** Runs `argv` (a worker that prints one JSON line with completed and ms) and answers that line. */
async function runWorkerProcess(argv: string[], what: string, timeoutMs: number): Promise<Outcome> {
  const proc = Bun.spawn(argv, { cwd: ROOT, stdout: "pipe", stderr: "inherit" });
  onCleanup(() => stopProcess(proc));
  const out = await withDeadline(new Response(proc.stdout).text(), timeoutMs, what);
  if ((await proc.exited) !== 0) throw new Error(`${what} exited with code ${proc.exitCode}`);
  return JSON.parse(out);
}

/** bench/client-ts-worker.mjs under Node with `config`. */
const runNodeWorker = (config: Record<string, unknown>, timeoutMs: number) =>
  runWorkerProcess(["node", path.join(import.meta.dir, "client-ts-worker.mjs"), JSON.stringify(config)], `Node ${config.engine} worker`, timeoutMs);

/** bench/client-python.py on a queue that already holds `jobs` jobs. */
const runPythonWorker = (url: string, queue: string, jobs: number, timeoutMs: number) =>
  runWorkerProcess(
    [
      "python3", path.join(import.meta.dir, "client-python.py"), "--url", url, "--queue", queue, "--jobs", String(jobs),
      "--concurrency", String(CONCURRENCY), "--enqueued", "--timeout", String(timeoutMs / 1000),
    ],
    "Python spool_client worker",
    timeoutMs + 10_000,
  );

/** The name of the missing program, or null when `program` is on PATH. */
const missing = (program: string) => (Bun.which(program) ? null : `${program} is not on PATH`);

export async function runClients(o: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const record = (id: string, engine: Figure["engine"], r: Outcome, label: string) => {
    if (r.completed !== o.jobs) throw new Error(`${label}: ${r.completed} of ${o.jobs} jobs`);
    figures.push({ id, engine, value: rate(r.completed, r.ms), unit: "jobs/s" });
    progress(`${label}: ${fmtRate(rate(r.completed, r.ms))}`);
  };
  const skip = (id: string, reason: string) => progress(`${id} skipped: ${reason}`);
  const noNode = missing("node");
  const noPython = missing("python3");

  const url = await startServer();
  const client = new SpoolClient({ url });
  const fill = async (queue: string) => {
    for (let i = 0; i < o.jobs; i += 1000) await client.enqueueBatch(queue, Array.from({ length: Math.min(1000, o.jobs - i) }, (_, k) => ({ payload: { n: i + k } })));
  };

  if (noNode) skip(`client.node.c${CONCURRENCY}`, noNode);
  else {
    await fill("client-node");
    const spool = await runNodeWorker({ engine: "spool", url, queue: "client-node", jobs: o.jobs, concurrency: CONCURRENCY }, o.scenarioTimeoutMs);
    record(`client.node.c${CONCURRENCY}`, "spool", spool, `spool/client worker under Node, c=${CONCURRENCY}`);
  }

  if (noPython) skip(`client.python.c${CONCURRENCY}`, noPython);
  else {
    await fill("client-python");
    const python = await runPythonWorker(url, "client-python", o.jobs, o.scenarioTimeoutMs);
    record(`client.python.c${CONCURRENCY}`, "spool", python, `spool_client worker under Python, c=${CONCURRENCY}`);
  }

  if (noNode) skip(`BullMQ client.node.c${CONCURRENCY}`, noNode);
  else {
    const { port } = await startRedis();
    const queue = new Queue("client-node", { connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null }, defaultJobOptions: { removeOnComplete: false, removeOnFail: false } });
    onCleanup(() => queue.close());
    for (let i = 0; i < o.jobs; i += 1000) await queue.addBulk(Array.from({ length: Math.min(1000, o.jobs - i) }, (_, k) => ({ name: "job", data: { n: i + k } })));
    const bull = await runNodeWorker({ engine: "bullmq", port, queue: "client-node", jobs: o.jobs, concurrency: CONCURRENCY }, o.scenarioTimeoutMs);
    record(`client.node.c${CONCURRENCY}`, "bullmq", bull, `BullMQ Worker under Node, c=${CONCURRENCY}`);
  }
  return figures;
}
