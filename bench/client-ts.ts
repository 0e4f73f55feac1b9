/**
 * A Node worker on spool/client against the real server, and BullMQ's Worker in a Node process
 * on a private Redis: end-to-end no-op jobs at concurrency 10, jobs enqueued beforehand.
 * Figures `client.node.c10` for both engines.
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

/** Runs bench/client-ts-worker.mjs under Node with `config`; answers what it prints. */
async function runNodeWorker(config: Record<string, unknown>, timeoutMs: number): Promise<{ completed: number; ms: number }> {
  const proc = Bun.spawn(["node", path.join(import.meta.dir, "client-ts-worker.mjs"), JSON.stringify(config)], { cwd: ROOT, stdout: "pipe", stderr: "inherit" });
  onCleanup(() => stopProcess(proc));
  const out = await withDeadline(new Response(proc.stdout).text(), timeoutMs, `Node ${config.engine} worker`);
  if ((await proc.exited) !== 0) throw new Error(`Node ${config.engine} worker exited with code ${proc.exitCode}`);
  return JSON.parse(out);
}

export async function runClientTs(o: BenchOptions): Promise<Figure[]> {
  const figures: Figure[] = [];
  const record = (engine: Figure["engine"], r: { completed: number; ms: number }, label: string) => {
    if (r.completed !== o.jobs) throw new Error(`${label}: ${r.completed} of ${o.jobs} jobs`);
    figures.push({ id: `client.node.c${CONCURRENCY}`, engine, value: rate(r.completed, r.ms), unit: "jobs/s" });
    progress(`${label}: ${fmtRate(rate(r.completed, r.ms))}`);
  };

  const url = await startServer();
  const client = new SpoolClient({ url });
  for (let i = 0; i < o.jobs; i += 1000) await client.enqueueBatch("client-node", Array.from({ length: Math.min(1000, o.jobs - i) }, (_, k) => ({ payload: { n: i + k } })));
  const spool = await runNodeWorker({ engine: "spool", url, queue: "client-node", jobs: o.jobs, concurrency: CONCURRENCY }, o.scenarioTimeoutMs);
  record("spool", spool, `spool/client worker under Node, c=${CONCURRENCY}`);

  const { port } = await startRedis();
  const queue = new Queue("client-node", { connection: { host: "127.0.0.1", port, maxRetriesPerRequest: null }, defaultJobOptions: { removeOnComplete: false, removeOnFail: false } });
  onCleanup(() => queue.close());
  for (let i = 0; i < o.jobs; i += 1000) await queue.addBulk(Array.from({ length: Math.min(1000, o.jobs - i) }, (_, k) => ({ name: "job", data: { n: i + k } })));
  const bull = await runNodeWorker({ engine: "bullmq", port, queue: "client-node", jobs: o.jobs, concurrency: CONCURRENCY }, o.scenarioTimeoutMs);
  record("bullmq", bull, `BullMQ Worker under Node, c=${CONCURRENCY}`);
  return figures;
}

if (import.meta.main) {
  const { parseOptions } = await import("./options.ts");
  const { cleanup } = await import("./resources.ts");
  try {
    console.log(JSON.stringify(await runClientTs(parseOptions(process.argv.slice(2))), null, 2));
  } finally {
    await cleanup();
  }
}
