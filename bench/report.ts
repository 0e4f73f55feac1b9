/** The report: each system's durability, tables of spool vs BullMQ and bunqueue figures with their ratio, the targets. */
import type { Engine, Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { DASHBOARD_PAGES, OPEN_DASHBOARDS } from "./dashboard-pages.ts";
import { PAIR_PROCESSES, PAIR_SHAPES, SERVE_SHAPES, pairId, type PairProcess } from "./redis-serve.ts";
import { HTTP_SHAPES } from "./spool-http.ts";

/** A figure's unit, or "CPU ms" for CPU time (whole milliseconds); "µs" is CPU time per job. */
type Unit = "jobs/s" | "ms" | "µs" | "CPU ms";
/** The system a table compares spool with, and its column name. */
type Versus = { engine: Engine; name: string };
const BULLMQ: Versus = { engine: "bullmq", name: "BullMQ" };
const BUNQUEUE: Versus = { engine: "bunqueue", name: "bunqueue" };
/** A row's figure ids: spool's, and the compared system's (null for a spool-only row). */
type Row = { label: string; spool: string; other: string | null };
/** A table of spool against `versus` (BullMQ when absent). */
type Section = { title: string; unit: "jobs/s" | "ms" | "µs"; note: string; versus?: Versus; rows: Row[] };
/** spool against itself in two setups (one server, two servers), each row in its own unit. */
type SetupSection = { title: string; note: string; setups: [string, string]; ratio: string; rows: { label: string; unit: Unit; a: string | null; b: string }[] };

/** A goal a figure must meet; `unit` "ms" for absolute times, otherwise a ratio. */
export type Target = { name: string; value: number | null; unit?: "ms" | "%"; limit: string; met: boolean | null };

/** What an acknowledged write survives in each system as the benchmarks set it up (the README repeats it). */
export const DURABILITY = [
  "spool: SQLite WAL, synchronous=NORMAL — an acknowledged enqueue or completion is committed to the WAL and survives kill -9; an OS crash or power loss can lose the last commits.",
  "BullMQ: Redis with appendonly yes, appendfsync everysec — an acknowledged add survives kill -9 of redis-server; an OS crash or power loss can lose about the last second.",
  "bunqueue default (buffered): add/addBulk return once the job is in an in-memory write buffer that goes to SQLite (WAL, synchronous=NORMAL) " +
    "every 10 ms or at 100 jobs; its docs say buffered jobs not yet flushed are lost if the process crashes.",
  "bunqueue durable: true: the job is written to SQLite (WAL, synchronous=NORMAL) before add/addBulk return, bypassing the buffer — its docs: no data loss on a process crash; the same as spool.",
];

function sections(o: BenchOptions): Section[] {
  const backlog = `${o.rows.toLocaleString("en-US")} waiting + ${o.rows.toLocaleString("en-US")} completed`;
  const latencyRows = (scenario: "empty" | "backlog", label: string): Row[] =>
    ["claim", "round"].flatMap((step) =>
      [50, 99].map((p) => {
        const id = `latency.${scenario}.${step}.p${p}`;
        return { label: `${label}: ${step === "claim" ? "claim" : "claim+complete"} p${p}`, spool: id, other: id };
      }),
    );
  return [
    {
      title: "Enqueue",
      unit: "jobs/s",
      note: "spool: QueueService.enqueue / enqueueMany in-process; BullMQ: queue.add / addBulk",
      rows: [
        { label: "one at a time (await each)", spool: "enqueue.single", other: "enqueue.single" },
        { label: "batches of 1000", spool: "enqueue.batch", other: "enqueue.batch" },
        { label: "HTTP batches of 1000 per request (vs addBulk)", spool: "http.enqueue.batch", other: "enqueue.batch" },
      ],
    },
    {
      title: "End-to-end no-op jobs, in-process worker",
      unit: "jobs/s",
      note: "spool: spool.work(queue, handler, {concurrency: C}); BullMQ: Worker with concurrency C",
      rows: [1, 10, 50].map((c) => ({ label: `concurrency ${c}, jobs enqueued beforehand`, spool: `worker.c${c}`, other: `e2e.c${c}` })),
    },
    {
      title: "spool vs bunqueue embedded (its own SQLite file, in-process)",
      unit: "jobs/s",
      versus: BUNQUEUE,
      note:
        `medians of ${o.rounds} round(s), interleaved with spool and BullMQ; spool: QueueService.enqueue / enqueueMany and spool.work; ` +
        "bunqueue: Queue.add / addBulk (default buffered writes, or durable: true) and Worker with concurrency C and its other defaults, on jobs added with durable: true",
      rows: [
        { label: "enqueue one at a time vs durable: true (equal durability)", spool: "enqueue.single", other: "enqueue.single.durable" },
        { label: "enqueue one at a time vs its buffered default", spool: "enqueue.single", other: "enqueue.single" },
        { label: "batches of 1000 vs durable: true (equal durability)", spool: "enqueue.batch", other: "enqueue.batch.durable" },
        { label: "batches of 1000 vs its buffered default", spool: "enqueue.batch", other: "enqueue.batch" },
        ...[1, 10, 50].map((c) => ({ label: `in-process worker, concurrency ${c}, enqueued beforehand`, spool: `worker.c${c}`, other: `worker.c${c}` })),
      ],
    },
    {
      title: "End-to-end no-op jobs, raw claim loops on the core",
      unit: "jobs/s",
      note: "spool: C loops of claim(max 1) → complete on QueueService; BullMQ: Worker with concurrency C",
      rows: [
        ...[1, 10, 50].map((c) => ({ label: `concurrency ${c}, jobs enqueued beforehand`, spool: `e2e.c${c}`, other: `e2e.c${c}` })),
        { label: "concurrency 10, enqueued in batches of 100 while running", spool: "e2e.live.c10", other: "e2e.live.c10" },
      ],
    },
    {
      title: "End-to-end no-op jobs over HTTP pull workers (separate process) vs BullMQ Worker at the same jobs in flight",
      unit: "jobs/s",
      note:
        "each worker loop claims up to N and finishes what it ran with its next claim (its `finished`), as spool's clients do: one request per claim; the loops send their requests with Bun's fetch, " +
        "except the two rows on spool/client's HTTP (its own kept-alive sockets); the last row completes each job with a request of its own",
      rows: [
        ...HTTP_SHAPES.map(({ loops, max }) => ({
          label: `${loops} worker${loops > 1 ? "s" : ""} × claim ${max} (in flight ${loops * max})`,
          spool: `http.${loops}x${max}`,
          other: `e2e.c${loops * max}`,
        })),
        ...[1, 10].map((max) => ({ label: `1 worker × claim ${max} on spool/client's HTTP (in flight ${max})`, spool: `http.1x${max}.client`, other: `e2e.c${max}` })),
        { label: "1 worker × claim 1, then POST /v1/jobs/{id}/complete (two requests per job)", spool: "http.1x1.own-complete", other: "e2e.c1" },
      ],
    },
    {
      title: "Clients: end-to-end no-op jobs at concurrency 10, the worker in its own process, vs BullMQ's Worker under Node in the same run",
      unit: "jobs/s",
      note:
        "spool: `spool serve` (SQLite) and a worker on spool/client under Node or on spool_client under Python (threads); BullMQ: Worker under Node on a private Redis; " +
        "jobs enqueued beforehand; a row shows — when its runtime is missing (the run prints why)",
      rows: [
        { label: "Node worker, spool/client vs BullMQ Worker", spool: "client.node.c10", other: "client.node.c10" },
        { label: "Python worker, spool_client vs BullMQ Worker (Node)", spool: "client.python.c10", other: "client.node.c10" },
      ],
    },
    {
      title: "Claim latency, one at a time",
      unit: "ms",
      note: "spool: claim(max 1) [+ complete] on QueueService; BullMQ: worker.getNextJob(block: false) [+ job.moveToCompleted(fetchNext: false)]; the empty and the backlog case sampled alternately",
      rows: [...latencyRows("empty", "empty"), ...latencyRows("backlog", backlog)],
    },
    {
      title: "Enqueue → handler start at 500 jobs/s",
      unit: "ms",
      note: "spool: a long-polling HTTP worker in its own process, and spool.work in-process (concurrency 10); BullMQ: Worker (concurrency 10) in the producer's process",
      rows: [50, 99].flatMap((p) => [
        { label: `HTTP worker, p${p}`, spool: `start.http.p${p}`, other: `start.bullmq.p${p}` },
        { label: `in-process worker, p${p}`, spool: `start.inprocess.p${p}`, other: `start.bullmq.p${p}` },
      ]),
    },
    {
      title: "Push targets (spool only: BullMQ has none)",
      unit: "jobs/s",
      note: "spool POSTs each job, signed, to a receiver in its own process on loopback, 10 at a time",
      rows: [{ label: "push target, concurrency 10", spool: "push.c10", other: "push.c10" }],
    },
    {
      title: `Dashboard pages with ${backlog} jobs (spool only), p50 / p95`,
      unit: "ms",
      note: "GET of each page as a signed-in browser reads it (live refreshes read the same URL), one at a time",
      rows: DASHBOARD_PAGES.flatMap((path) => [50, 95].map((p) => ({ label: `${path} p${p}`, spool: `dashboard.page.${path}.p${p}`, other: null }))),
    },
    {
      title: "Open dashboards vs end-to-end throughput (spool only)",
      unit: "jobs/s",
      note: `in-process worker, concurrency 10, on a running server; ${OPEN_DASHBOARDS} dashboards each holding /live and re-reading the overview at most once every two seconds`,
      rows: [
        { label: "no dashboard open", spool: "dashboard.e2e.none", other: null },
        { label: `${OPEN_DASHBOARDS} dashboards open`, spool: `dashboard.e2e.open${OPEN_DASHBOARDS}`, other: null },
      ],
    },
    {
      title: "Open dashboards vs the server's CPU time per job (spool only)",
      unit: "µs",
      note: "the same runs: CPU time of the process holding the server and its worker (not the dashboards' own), per job; a busy machine moves it less than a rate",
      rows: [
        { label: "no dashboard open", spool: "dashboard.cpu.none", other: null },
        { label: `${OPEN_DASHBOARDS} dashboards open`, spool: `dashboard.cpu.open${OPEN_DASHBOARDS}`, other: null },
      ],
    },
    {
      title: "spool on Redis vs BullMQ (same redis-server, AOF everysec)",
      unit: "jobs/s",
      note:
        `medians of ${o.rounds} round(s), engines interleaved; spool: RedisStore (its own prefix) through QueueService.enqueue / enqueueMany and spool.work, ` +
        "or `spool serve --redis` with HTTP workers (claim 10, finished with the next claim) in their own process; BullMQ: add / addBulk, Worker with concurrency C",
      rows: [
        { label: "enqueue one at a time (await each)", spool: "redis.enqueue.single", other: "redis.enqueue.single" },
        { label: "enqueue batches of 1000", spool: "redis.enqueue.batch", other: "redis.enqueue.batch" },
        ...[10, 50].map((c) => ({ label: `in-process worker, concurrency ${c}, enqueued beforehand`, spool: `redis.worker.c${c}`, other: `redis.worker.c${c}` })),
        ...SERVE_SHAPES.map(({ loops, max }) => ({
          label: `HTTP, ${loops} worker${loops > 1 ? "s" : ""} × claim ${max} (in flight ${loops * max}) vs Worker c${loops * max}`,
          spool: `redis.http.${loops}x${max}`,
          other: `redis.worker.c${loops * max}`,
        })),
      ],
    },
  ];
}

const PROCESS_NAMES: Record<PairProcess, string> = {
  a: "spool server A", b: "spool server B", redis: "redis-server", workers: "HTTP workers' process", total: "all four",
};

function setupSections(o: BenchOptions): SetupSection[] {
  return [
    {
      title: "Two `spool serve --redis` on one Redis and prefix vs one, HTTP workers split across them",
      note:
        `jobs/s, and the CPU time (user+sys, ms) each process used for the run's ${o.jobs.toLocaleString("en-US")} jobs; medians of ${o.rounds} round(s). ` +
        "On this 2-core machine the pair shows the cost of coordination, not scale: both servers, redis-server and the workers share two cores",
      setups: ["one server", "two servers"],
      ratio: "two/one",
      rows: PAIR_SHAPES.flatMap((shape) => [
        { label: `${shape.loops} workers × claim ${shape.max} (in flight ${shape.loops * shape.max}), jobs/s`, unit: "jobs/s" as const, a: pairId("one", shape), b: pairId("two", shape) },
        ...PAIR_PROCESSES.map((p) => ({ label: `  CPU ms, ${PROCESS_NAMES[p]}`, unit: "CPU ms" as const, a: p === "b" ? null : pairId("one", shape, p), b: pairId("two", shape, p) })),
      ]),
    },
  ];
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const fmt = (v: number | undefined, unit: Unit) =>
  v === undefined ? "—" : unit === "ms" ? v.toFixed(3) : unit === "µs" ? v.toFixed(1) : Math.round(v).toLocaleString("en-US");
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? "—" : `${(a / b).toFixed(2)}×`);

type TableRow = { label: string; unit: Unit; a: number | undefined; b: number | undefined; ratio: string };

/** A table's lines: a header of three column names, then each row's two figures and their ratio. */
function table(columns: [string, string, string], rows: TableRow[]): string[] {
  return [
    `  ${pad("scenario", 62)}${pad(columns[0], 12, true)}${pad(columns[1], 12, true)}${pad(columns[2], 16, true)}`,
    ...rows.map((r) => `  ${pad(r.label, 62)}${pad(fmt(r.a, r.unit), 12, true)}${pad(fmt(r.b, r.unit), 12, true)}${pad(r.ratio, 16, true)}`),
  ];
}

/**
 * The targets the run is held to (the performance issue's and the Redis store's), each with its
 * figure and whether it was met. Ratios are spool's figure over BullMQ's in the same run.
 */
export function targets(get: (engine: Engine, id: string) => number | undefined): Target[] {
  const versus = (name: string, spoolId: string, bullId: string, limit: number): Target => {
    const [a, b] = [get("spool", spoolId), get("bullmq", bullId)];
    const value = a !== undefined && b !== undefined ? a / b : null;
    return { name, value, limit: `≥ ${limit.toFixed(2)}×`, met: value === null ? null : value >= limit };
  };
  const empty = get("spool", "latency.empty.claim.p50");
  const full = get("spool", "latency.backlog.claim.p50");
  const claim = empty !== undefined && full !== undefined ? full / empty : null;
  const atMost = (name: string, id: string, limit: number): Target => {
    const value = get("spool", id) ?? null;
    return { name, value, unit: "ms", limit: `≤ ${limit} ms`, met: value === null ? null : value <= limit };
  };
  const pageP95s = DASHBOARD_PAGES.map((path) => get("spool", `dashboard.page.${path}.p95`)).filter((v): v is number => v !== undefined);
  const slowestPage = pageP95s.length ? Math.max(...pageP95s) : null;
  const dashboardCost = get("spool", "dashboard.e2e.cost") ?? null;
  const dashboardCpuCost = get("spool", "dashboard.cpu.cost") ?? null;
  return [
    versus("enqueue one at a time, spool/BullMQ", "enqueue.single", "enqueue.single", 2),
    versus("enqueue batches of 1000, spool/BullMQ", "enqueue.batch", "enqueue.batch", 2),
    ...[1, 10, 50].map((c) => versus(`in-process worker at concurrency ${c}, spool/BullMQ`, `worker.c${c}`, `e2e.c${c}`, 2)),
    ...[1, 10, 50].map((n) => versus(`HTTP workers, one job per request, ${n} in flight, spool/BullMQ`, `http.${n}x1`, `e2e.c${n}`, 1)),
    versus("HTTP workers, 1 × claim 10, spool/BullMQ", "http.1x10", "e2e.c10", 2),
    versus("HTTP workers, 5 × claim 10, spool/BullMQ", "http.5x10", "e2e.c50", 2),
    versus("HTTP workers, 1 × claim 50, spool/BullMQ", "http.1x50", "e2e.c50", 2),
    versus("on Redis, in-process worker at concurrency 10, spool/BullMQ", "redis.worker.c10", "redis.worker.c10", 1),
    { name: "slowest dashboard page p95 with the backlog", value: slowestPage, unit: "ms", limit: "≤ 50 ms", met: slowestPage === null ? null : slowestPage <= 50 },
    { name: `${OPEN_DASHBOARDS} open dashboards' cost to end-to-end throughput, median of rounds, %`, value: dashboardCost, unit: "%", limit: "≤ 3 %", met: dashboardCost === null ? null : dashboardCost <= 3 },
    { name: `${OPEN_DASHBOARDS} open dashboards' cost in CPU time per job, median of rounds, %`, value: dashboardCpuCost, unit: "%", limit: "≤ 3 %", met: dashboardCpuCost === null ? null : dashboardCpuCost <= 3 },
    { name: "spool claim p50 with the backlog / empty database", value: claim, limit: "≤ 1.50×", met: claim === null ? null : claim <= 1.5 },
    atMost("enqueue → start p50, long-polling HTTP worker", "start.http.p50", 2),
    atMost("enqueue → start p99, long-polling HTTP worker", "start.http.p99", 10),
    atMost("enqueue → start p50, in-process worker", "start.inprocess.p50", 2),
    atMost("enqueue → start p99, in-process worker", "start.inprocess.p99", 10),
  ];
}

export function renderReport(o: BenchOptions, figures: Figure[], header: string[]): { text: string; targets: Target[] } {
  const get = (engine: Engine, id: string) => figures.find((f) => f.engine === engine && f.id === id)?.value;
  const lines = [...header, "", "Durability of each system as measured", ...DURABILITY.map((d) => `  ${d}`), ""];
  // A partial run (--only) leaves out the tables it measured nothing for.
  const measured = (rows: TableRow[]) => !o.only.length || rows.some((r) => r.a !== undefined || r.b !== undefined);
  for (const s of sections(o)) {
    const versus = s.versus ?? BULLMQ;
    const rows = s.rows.map((r): TableRow => {
      const [a, b] = [get("spool", r.spool), r.other ? get(versus.engine, r.other) : undefined];
      return { label: r.label, unit: s.unit, a, b, ratio: ratio(a, b) };
    });
    if (!measured(rows)) continue;
    const better = s.unit === "jobs/s" ? "higher is better" : "lower is better";
    lines.push(`${s.title} (${s.unit}, ${better})`, `  ${s.note}`, ...table(["spool", versus.name, `spool/${versus.name}`], rows), "");
  }
  for (const s of setupSections(o)) {
    const rows = s.rows.map((r): TableRow => {
      const [a, b] = [r.a ? get("spool", r.a) : undefined, get("spool", r.b)];
      return { label: r.label, unit: r.unit, a, b, ratio: ratio(b, a) };
    });
    if (!measured(rows)) continue;
    lines.push(s.title, `  ${s.note}`, ...table([s.setups[0], s.setups[1], s.ratio], rows), "");
  }
  const backlogRatio = (engine: Engine, step: string) => ratio(get(engine, `latency.backlog.${step}.p50`), get(engine, `latency.empty.${step}.p50`));
  lines.push(
    `Backlog / empty, p50: spool claim ${backlogRatio("spool", "claim")}, claim+complete ${backlogRatio("spool", "round")}; ` +
      `BullMQ getNextJob ${backlogRatio("bullmq", "claim")}, + moveToCompleted ${backlogRatio("bullmq", "round")}`,
    "",
  );
  const t = targets(get);
  lines.push("Targets");
  for (const target of t) {
    const verdict = target.met === null ? "NOT MEASURED" : target.met ? "met" : "NOT MET";
    const value = target.value === null ? "—" : target.unit === "ms" ? `${target.value.toFixed(2)} ms` : target.unit === "%" ? `${target.value.toFixed(1)} %` : `${target.value.toFixed(2)}×`;
    lines.push(`  ${pad(target.name, 62)}${pad(value, 8, true)}  (target ${target.limit})  ${verdict}`);
  }
  return { text: lines.join("\n"), targets: t };
}
