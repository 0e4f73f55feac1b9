/**
 * What monitoring costs the queue: end-to-end throughput on SQLite with jobs enqueued
 * beforehand and a no-op handler (the harshest case: nothing but queue work to slow down), in
 * three sections:
 *   worker     the in-process worker (`spool.work`) at concurrency 1, 10 and 50: the
 *              end-to-end figure of `npm run bench`
 *   loops      raw loops of claim one + complete one through QueueService at concurrency 1
 *              and 10 (no batching: every claim and every completion is its own commit)
 *   http       `spool serve` in this process, pull workers in another: 10 loops claiming 1,
 *              5 claiming 10 with batch completes
 * and for each, these variants:
 *   without    the store writes no event log (withoutEventLog): no log, no aggregates
 *   log        the event log written with every job change, nothing reading it
 *   scheduled  log + the health task on its real 30 s schedule + an SSE client (another
 *              process) following a queue; one health run (which folds the run's events into
 *              the aggregates) is inside the timed window, so the deferred work is counted
 *   watched    as scheduled, but the health task runs every second (30 times more often
 *              than spool:health)
 *   firehose   as watched, but the SSE client receives every event of the run
 * Rounds alternate between variants; medians are printed, as wall-clock jobs/s and as jobs
 * per CPU-second of the spool process (steadier on a shared machine), with each variant's
 * difference from "without" and, for the monitoring variants, from "log".
 * `bun bench/monitor-overhead.ts [JOBS] [ROUNDS] [worker|loops|http]` (all sections by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { systemClock } from "../src/core/clock.ts";
import type { EventFilters } from "../src/core/monitor-store.ts";
import { QueueService } from "../src/core/queue-service.ts";
import { renderEvent } from "../src/api/render-monitor.ts";
import { eventStream } from "../src/monitor/event-stream.ts";
import { Monitor } from "../src/monitor/monitor.ts";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { startServer } from "../src/server.ts";
import type { HttpWorkersConfig } from "./http-workers.ts";
import { drain, drainWithWorker, enqueueBatches } from "./spool-core.ts";

const JOBS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const ONLY = process.argv[4];
const WORKER_CONCURRENCIES = [1, 10, 50];
const LOOP_CONCURRENCIES = [1, 10];

/** Reads the stream at argv[1], prints "ready" once connected and, when told to stop, how many messages it got. */
const SSE_CLIENT = `
  let n = 0;
  const res = await fetch(process.argv[1]);
  console.log("ready");
  process.on("SIGTERM", () => { console.log(n); process.exit(0); });
  const reader = res.body.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (let i = 1; i < value.length; i++) if (value[i] === 10 && value[i - 1] === 10) n++;
  }
`;

type Variant = "without" | "log" | "scheduled" | "watched" | "firehose";
const VARIANTS: Variant[] = ["without", "log", "scheduled", "watched", "firehose"];

/** `settle` is work the variant owes for the run (a health run), done inside the timed window. */
type Running = { svc: QueueService; stop: () => Promise<number>; settle?: () => Promise<unknown> };

/** An SSE endpoint over the store and a client process reading it; resolves once connected. */
async function attachSseClient(store: SqliteStore, monitor: Monitor, filters: EventFilters) {
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    fetch: () =>
      new Response(eventStream({ store, feed: monitor.feed, clock: systemClock, filters, afterId: 0, render: (e) => renderEvent(e, e.extra) }), {
        headers: { "content-type": "text/event-stream" },
      }),
  });
  const client = Bun.spawn([process.execPath, "-e", SSE_CLIENT, `http://127.0.0.1:${server.port}/`], { stdout: "pipe", stderr: "inherit" });
  const output = client.stdout.getReader();
  await output.read();
  return async (): Promise<number> => {
    client.kill("SIGTERM");
    let printed = "";
    for (let chunk = await output.read(); !chunk.done; chunk = await output.read()) printed += new TextDecoder().decode(chunk.value);
    server.stop(true);
    return Number(printed.trim().split("\n").at(-1));
  };
}

async function start(variant: Variant): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), "spool-bench-"));
  const store = new SqliteStore({ path: join(dir, "spool.db") });
  const svc = new QueueService({ store, clock: systemClock });
  const close = async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  if (variant === "without") store.withoutEventLog();
  if (variant === "without" || variant === "log") return { svc, stop: async () => (await close(), 0) };

  const monitor = new Monitor({ store, clock: systemClock, dataDir: dir, channels: [] });
  let ticking: Promise<unknown> = Promise.resolve();
  const health = setInterval(() => {
    ticking = ticking.then(() => monitor.healthTick()).catch((err) => console.error("health:", err));
  }, variant === "scheduled" ? 30_000 : 1000);
  const stopClient = await attachSseClient(store, monitor, variant === "firehose" ? {} : { queue: "dashboard" });
  return {
    svc,
    settle: variant === "scheduled" ? () => monitor.healthTick() : undefined,
    stop: async () => {
      clearInterval(health);
      await ticking;
      const streamed = await stopClient();
      await close();
      return streamed;
    },
  };
}

/** No run may take longer than this. */
const RUN_LIMIT_MS = 120_000;

/** Raw loops: claim one, complete one, each awaited. */
const drainLoops = (svc: QueueService, queue: string, concurrency: number) => drain(svc, queue, concurrency, performance.now() + RUN_LIMIT_MS);

/** The in-process worker a Bun program runs: it claims as many as it has free slots and completes in batches. */
const drainWorker = (svc: QueueService, queue: string, concurrency: number) =>
  drainWithWorker(svc.store, queue, concurrency, JOBS, performance.now() + RUN_LIMIT_MS);

type Drain = (svc: QueueService, queue: string, concurrency: number) => Promise<number>;

type Figures = { wall: number[]; cpu: number[]; streamed: number };

/** Jobs per second (wall) and per CPU-second for each concurrency, each on a fresh store (with its own SSE client). */
const measureInProcess = (drain: Drain, concurrencies: number[]) => async (variant: Variant): Promise<Figures> => {
  const out: Figures = { wall: [], cpu: [], streamed: 0 };
  for (const c of concurrencies) {
    const { svc, stop, settle } = await start(variant);
    const queue = `e2e-c${c}`;
    await enqueueBatches(svc, queue, JOBS);
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const done = await drain(svc, queue, c);
    await settle?.();
    const cpu = process.cpuUsage(cpu0);
    if (done !== JOBS) throw new Error(`${variant}: completed ${done} of ${JOBS}`);
    out.wall.push((done * 1000) / (performance.now() - t0));
    out.cpu.push((done * 1e6) / (cpu.user + cpu.system));
    out.streamed += await stop();
  }
  return out;
};

const HTTP_SHAPES = [{ loops: 10, max: 1 }, { loops: 5, max: 10 }];

/** The real server with monitoring as configured by the variant; HTTP workers run in another process. */
async function measureHttp(variant: Variant): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), "spool-bench-"));
  const server = await startServer({
    port: 0, host: "127.0.0.1", dataDir: dir, durability: "normal", insecure: false, bodyLimitBytes: 1 << 20,
    rateLimitPerSecond: 0, adminToken: null, publicMetrics: false,
  });
  const store = server.store as SqliteStore;
  if (variant === "without") store.withoutEventLog();
  let health: ReturnType<typeof setInterval> | undefined;
  let ticking: Promise<unknown> = Promise.resolve();
  let client: Bun.Subprocess<"ignore", "pipe", "inherit"> | null = null;
  if (variant === "scheduled" || variant === "watched" || variant === "firehose") {
    // "scheduled" leaves the health task to the server's own spool:health schedule (every 30 s).
    if (variant !== "scheduled") {
      health = setInterval(() => {
        ticking = ticking.then(() => server.monitor.healthTick()).catch((err) => console.error("health:", err));
      }, 1000);
    }
    const query = variant === "firehose" ? "?after=0" : "?queue=dashboard&after=0";
    client = Bun.spawn([process.execPath, "-e", SSE_CLIENT, `${server.url}/v1/events${query}`], { stdout: "pipe", stderr: "inherit" });
  }
  const output = client?.stdout.getReader();
  await output?.read();
  const out: Figures = { wall: [], cpu: [], streamed: 0 };
  for (const shape of HTTP_SHAPES) {
    const queue = `http-${shape.loops}x${shape.max}`;
    await enqueueBatches(server.service, queue, JOBS);
    const config: HttpWorkersConfig = { urls: [server.url], queue, ...shape, timeoutMs: 120_000 };
    const cpu0 = process.cpuUsage();
    const workers = Bun.spawn([process.execPath, join(import.meta.dir, "http-workers.ts"), JSON.stringify(config)], { stdout: "pipe", stderr: "inherit" });
    const { completed, ms } = JSON.parse(await new Response(workers.stdout).text()) as { completed: number; ms: number };
    const cpu = process.cpuUsage(cpu0);
    if (completed !== JOBS) throw new Error(`${variant} over HTTP: completed ${completed} of ${JOBS}`);
    out.wall.push((completed * 1000) / ms);
    out.cpu.push((completed * 1e6) / (cpu.user + cpu.system));
  }
  clearInterval(health);
  await ticking;
  if (client && output) {
    client.kill("SIGTERM");
    let printed = "";
    for (let chunk = await output.read(); !chunk.done; chunk = await output.read()) printed += new TextDecoder().decode(chunk.value);
    out.streamed = Number(printed.trim().split("\n").at(-1));
  }
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Section = { key: string; title: string; columns: string[]; measure: (v: Variant) => Promise<Figures> };
const SECTIONS: Section[] = [
  { key: "worker", title: "in-process worker (spool.work)", columns: WORKER_CONCURRENCIES.map((c) => `concurrency ${c}`), measure: measureInProcess(drainWorker, WORKER_CONCURRENCIES) },
  { key: "loops", title: "claim + complete loops", columns: LOOP_CONCURRENCIES.map((c) => `concurrency ${c}`), measure: measureInProcess(drainLoops, LOOP_CONCURRENCIES) },
  { key: "http", title: "over HTTP", columns: HTTP_SHAPES.map((h) => `${h.loops} loops x claim ${h.max}`), measure: measureHttp },
];

const change = (value: number, base: number) => `${value >= base ? "+" : ""}${(((value - base) / base) * 100).toFixed(1)} %`;

for (const section of SECTIONS.filter((s) => !ONLY || s.key === ONLY)) {
  const results = new Map<Variant, Figures[]>(VARIANTS.map((v) => [v, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const v of VARIANTS) results.get(v)!.push(await section.measure(v));
    console.error(`${section.title}: round ${round}/${ROUNDS} done`);
  }
  console.log(`\nmonitoring overhead, ${section.title}: ${JOBS} jobs per run, medians of ${ROUNDS} rounds`);
  console.log("  each cell: jobs/s, change from without, change from log");
  for (const [label, pick] of [["wall-clock jobs/s", (f: Figures) => f.wall], ["jobs per CPU-second of the spool process", (f: Figures) => f.cpu]] as const) {
    console.log(`  ${label}`);
    console.log(`    ${"".padEnd(10)}${section.columns.map((c) => c.padStart(30)).join("")}`);
    const medianOf = (v: Variant, i: number) => median(results.get(v)!.map((f) => pick(f)[i]!));
    for (const v of VARIANTS) {
      const cells = section.columns.map((_, i) => {
        const value = medianOf(v, i);
        const vsWithout = v === "without" ? "" : `  ${change(value, medianOf("without", i))}`;
        const vsLog = v === "without" || v === "log" ? "" : `  ${change(value, medianOf("log", i))}`;
        return `${value.toFixed(0)}${vsWithout}${vsLog}`.padStart(30);
      });
      console.log(`    ${v.padEnd(10)}${cells.join("")}`);
    }
  }
  const streamed = results.get("firehose")!.at(-1)!.streamed;
  console.log(`  the firehose clients received ${streamed} messages in the last round (${section.columns.length * JOBS * 3} job events)`);
}
