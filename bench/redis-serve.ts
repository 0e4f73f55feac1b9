/**
 * `spool serve --redis` with HTTP workers in their own process: one server at 10 and 50 jobs
 * in flight (compared with BullMQ's Worker at the same concurrency), and two servers on the
 * same Redis and prefix, the workers split across them, against one server with the same
 * workers, with the CPU time each process used.
 */
import path from "node:path";
import { fmtRate, progress, rate, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { cpuMeter, waitForQuiet } from "./process-cpu.ts";
import type { PrivateRedis } from "./redis-server.ts";
import { enqueueBatches, logTail, runWorkers, startServer, type SpoolServer } from "./spool-http.ts";

/** HTTP worker shapes against one server: claim 10, finishing them with the next claim; 10 and 50 jobs in flight. */
export const SERVE_SHAPES = [
  { loops: 1, max: 10 },
  { loops: 5, max: 10 },
] as const;
/** Shapes for one server against two: an even number of loops, so each server gets half. */
export const PAIR_SHAPES = [
  { loops: 2, max: 10 },
  { loops: 6, max: 10 },
] as const;
/** The processes whose CPU time the pair table shows. */
export const PAIR_PROCESSES = ["a", "b", "redis", "workers", "total"] as const;
export type PairProcess = (typeof PAIR_PROCESSES)[number];
export const pairId = (setup: "one" | "two", shape: { loops: number; max: number }, cpu?: PairProcess) =>
  `redis.pair.${setup}.${shape.loops}x${shape.max}${cpu ? `.cpu.${cpu}` : ""}`;

const SERVE_PREFIX = "spool-serve";
const WARMUP_SHAPE = { loops: 5, max: 10 };
const ROOT = path.resolve(import.meta.dir, "..");

/** Whether this checkout's `spool serve` takes --redis (it is the flag these scenarios need). */
function serveTakesRedis(): boolean {
  const help = Bun.spawnSync([process.execPath, "src/main.ts", "serve", "--help"], { cwd: ROOT }).stdout.toString();
  return /--redis\b/.test(help) && /--redis-prefix\b/.test(help);
}

export async function runRedisServe(o: BenchOptions, redis: PrivateRedis): Promise<Figure[]> {
  if (!serveTakesRedis()) {
    progress("spool serve has no --redis / --redis-prefix here: the HTTP scenarios on Redis are left out");
    return [];
  }
  const args = ["--redis", `redis://127.0.0.1:${redis.port}`, "--redis-prefix", SERVE_PREFIX];
  const servers: SpoolServer[] = [await startServer(args)];
  try {
    return await runScenarios(o, redis, servers[0]!, async () => {
      const b = await startServer(args);
      servers.push(b);
      // A fresh process runs cold code: warm it up as the first server was, so the pair's CPU
      // times compare warm servers.
      await enqueueBatches(b.url, "warmup-b", 2000);
      await runWorkers({ urls: [b.url], queue: "warmup-b", ...WARMUP_SHAPE, finishInClaim: true, timeoutMs: o.scenarioTimeoutMs });
      return b;
    });
  } catch (err) {
    // The first server's log, and the last second server's (each pair run starts its own).
    const logs = [...new Set([servers[0]!, servers.at(-1)!])].map((s) => `log of spool serve (pid ${s.pid}):\n${logTail(s.log)}`).join("\n");
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}

async function runScenarios(o: BenchOptions, redis: PrivateRedis, a: SpoolServer, startAnother: () => Promise<SpoolServer>): Promise<Figure[]> {
  const figures: Figure[] = [];
  const workers = (urls: string[], queue: string, shape: { loops: number; max: number }) =>
    runWorkers({ urls, queue, ...shape, finishInClaim: true, timeoutMs: o.scenarioTimeoutMs });
  // A run starts once the servers and redis-server have finished what the last one left
  // behind (folding its events into the aggregates, AOF writes).
  const quiet = async (pids: number[]) => {
    if (!(await waitForQuiet(pids))) progress("the servers and redis-server were still busy after 15 s; timing anyway");
  };

  await enqueueBatches(a.url, "warmup", 2000);
  await workers([a.url], "warmup", WARMUP_SHAPE);

  for (let round = 0; round < o.rounds; round++) {
    progress(`HTTP round ${round + 1} of ${o.rounds}`);
    for (const shape of SERVE_SHAPES) {
      const queue = `http-${shape.loops}x${shape.max}-r${round}`;
      await enqueueBatches(a.url, queue, o.jobs);
      await quiet([a.pid, redis.pid]);
      const { completed, ms } = await workers([a.url], queue, shape);
      if (completed !== o.jobs) throw new Error(`HTTP ${shape.loops}×${shape.max}: completed ${completed} of ${o.jobs} jobs`);
      figures.push({ id: `redis.http.${shape.loops}x${shape.max}`, engine: "spool", value: rate(completed, ms), unit: "jobs/s" });
      progress(`spool serve --redis, ${shape.loops} HTTP worker(s) × claim ${shape.max}: ${fmtRate(rate(completed, ms))}`);
    }
    for (const shape of PAIR_SHAPES) {
      const setups = round % 2 ? (["two", "one"] as const) : (["one", "two"] as const);
      for (const setup of setups) figures.push(...(await runPair(setup, shape, round)));
    }
  }
  return figures;

  async function runPair(setup: "one" | "two", shape: { loops: number; max: number }, round: number): Promise<Figure[]> {
    const b = setup === "two" ? await startAnother() : null;
    try {
      const queue = `pair-${setup}-${shape.loops}x${shape.max}-r${round}`;
      await enqueueBatches(a.url, queue, o.jobs);
      const pids = [a.pid, ...(b ? [b.pid] : []), redis.pid];
      await quiet(pids);
      const used = cpuMeter(pids);
      const run = await workers(b ? [a.url, b.url] : [a.url], queue, shape);
      const [cpuA, ...rest] = used();
      const cpuB = b ? rest.shift()! : 0;
      const cpuRedis = rest.shift()!;
      if (run.completed !== o.jobs) throw new Error(`${setup} server(s), ${shape.loops}×${shape.max}: completed ${run.completed} of ${o.jobs} jobs`);
      const cpu: Record<PairProcess, number> = { a: cpuA!, b: cpuB, redis: cpuRedis, workers: run.cpuMs, total: cpuA! + cpuB + cpuRedis + run.cpuMs };
      progress(
        `${setup === "one" ? "one server" : "two servers"}, ${shape.loops} HTTP workers × claim ${shape.max}: ${fmtRate(rate(run.completed, run.ms))}; CPU ms ` +
          `server A ${cpu.a.toFixed(0)}${b ? `, server B ${cpu.b.toFixed(0)}` : ""}, redis-server ${cpu.redis.toFixed(0)}, workers ${cpu.workers.toFixed(0)}`,
      );
      return [
        { id: pairId(setup, shape), engine: "spool", value: rate(run.completed, run.ms), unit: "jobs/s" },
        ...PAIR_PROCESSES.filter((p) => b || p !== "b").map((p): Figure => ({ id: pairId(setup, shape, p), engine: "spool", value: cpu[p], unit: "ms" })),
      ];
    } finally {
      await b?.stop();
    }
  }
}
