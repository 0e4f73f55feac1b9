/** The report: tables of spool vs BullMQ figures with their ratio, the two targets, and the JSON record. */
import type { Engine, Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { DASHBOARD_PAGES, OPEN_DASHBOARDS } from "./dashboard-pages.ts";
import { HTTP_SHAPES } from "./spool-http.ts";

type Row = { label: string; spool: string; bullmq: string | null };
type Section = { title: string; unit: "jobs/s" | "ms"; note: string; rows: Row[] };

/** A goal a figure must meet; `unit` "ms" for absolute times, otherwise a ratio. */
export type Target = { name: string; value: number | null; unit?: "ms" | "%"; limit: string; met: boolean | null };

function sections(o: BenchOptions): Section[] {
  const backlog = `${o.rows.toLocaleString("en-US")} waiting + ${o.rows.toLocaleString("en-US")} completed`;
  const latencyRows = (scenario: "empty" | "backlog", label: string): Row[] =>
    ["claim", "round"].flatMap((step) =>
      [50, 99].map((p) => {
        const id = `latency.${scenario}.${step}.p${p}`;
        return { label: `${label}: ${step === "claim" ? "claim" : "claim+complete"} p${p}`, spool: id, bullmq: id };
      }),
    );
  return [
    {
      title: "Enqueue",
      unit: "jobs/s",
      note: "spool: QueueService.enqueue / enqueueMany in-process; BullMQ: queue.add / addBulk",
      rows: [
        { label: "one at a time (await each)", spool: "enqueue.single", bullmq: "enqueue.single" },
        { label: "batches of 1000", spool: "enqueue.batch", bullmq: "enqueue.batch" },
        { label: "HTTP batches of 1000 per request (vs addBulk)", spool: "http.enqueue.batch", bullmq: "enqueue.batch" },
      ],
    },
    {
      title: "End-to-end no-op jobs, in-process worker",
      unit: "jobs/s",
      note: "spool: spool.work(queue, handler, {concurrency: C}); BullMQ: Worker with concurrency C",
      rows: [1, 10, 50].map((c) => ({ label: `concurrency ${c}, jobs enqueued beforehand`, spool: `worker.c${c}`, bullmq: `e2e.c${c}` })),
    },
    {
      title: "End-to-end no-op jobs, raw claim loops on the core",
      unit: "jobs/s",
      note: "spool: C loops of claim(max 1) → complete on QueueService; BullMQ: Worker with concurrency C",
      rows: [
        ...[1, 10, 50].map((c) => ({ label: `concurrency ${c}, jobs enqueued beforehand`, spool: `e2e.c${c}`, bullmq: `e2e.c${c}` })),
        { label: "concurrency 10, enqueued in batches of 100 while running", spool: "e2e.live.c10", bullmq: "e2e.live.c10" },
      ],
    },
    {
      title: "End-to-end no-op jobs over HTTP pull workers (separate process) vs BullMQ Worker at the same jobs in flight",
      unit: "jobs/s",
      note: "claim 1 → POST /v1/jobs/{id}/complete; claim N > 1 → one POST /v1/jobs/complete for the batch",
      rows: HTTP_SHAPES.map(({ loops, max }) => ({
        label: `${loops} worker${loops > 1 ? "s" : ""} × claim ${max} (in flight ${loops * max})`,
        spool: `http.${loops}x${max}`,
        bullmq: `e2e.c${loops * max}`,
      })),
    },
    {
      title: "Claim latency, one at a time",
      unit: "ms",
      note: "spool: claim(max 1) [+ complete] on QueueService; BullMQ: worker.getNextJob(block: false) [+ job.moveToCompleted(fetchNext: false)]",
      rows: [...latencyRows("empty", "empty"), ...latencyRows("backlog", backlog)],
    },
    {
      title: "Enqueue → handler start at 500 jobs/s",
      unit: "ms",
      note: "spool: a long-polling HTTP worker in its own process, and spool.work in-process (concurrency 10); BullMQ: Worker (concurrency 10) in the producer's process",
      rows: [50, 99].flatMap((p) => [
        { label: `HTTP worker, p${p}`, spool: `start.http.p${p}`, bullmq: `start.bullmq.p${p}` },
        { label: `in-process worker, p${p}`, spool: `start.inprocess.p${p}`, bullmq: `start.bullmq.p${p}` },
      ]),
    },
    {
      title: "Push targets (spool only: BullMQ has none)",
      unit: "jobs/s",
      note: "spool POSTs each job, signed, to a receiver in its own process on loopback, 10 at a time",
      rows: [{ label: "push target, concurrency 10", spool: "push.c10", bullmq: "push.c10" }],
    },
    {
      title: `Dashboard pages with ${backlog} jobs (spool only), p50 / p95`,
      unit: "ms",
      note: "GET of each page as a signed-in browser reads it (live refreshes read the same URL), one at a time",
      rows: DASHBOARD_PAGES.flatMap((path) => [50, 95].map((p) => ({ label: `${path} p${p}`, spool: `dashboard.page.${path}.p${p}`, bullmq: null }))),
    },
    {
      title: "Open dashboards vs end-to-end throughput (spool only)",
      unit: "jobs/s",
      note: `in-process worker, concurrency 10, on a running server; ${OPEN_DASHBOARDS} dashboards each holding /live and re-reading the overview at most once every two seconds`,
      rows: [
        { label: "no dashboard open", spool: "dashboard.e2e.none", bullmq: null },
        { label: `${OPEN_DASHBOARDS} dashboards open`, spool: `dashboard.e2e.open${OPEN_DASHBOARDS}`, bullmq: null },
      ],
    },
  ];
}

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));
const fmt = (v: number | undefined, unit: "jobs/s" | "ms") =>
  v === undefined ? "—" : unit === "ms" ? v.toFixed(3) : Math.round(v).toLocaleString("en-US");
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? "—" : `${(a / b).toFixed(2)}×`);

export function targets(get: (engine: Engine, id: string) => number | undefined): Target[] {
  const spoolC10 = get("spool", "worker.c10");
  const bullC10 = get("bullmq", "e2e.c10");
  const e2e = spoolC10 !== undefined && bullC10 !== undefined ? spoolC10 / bullC10 : null;
  const empty = get("spool", "latency.empty.claim.p50");
  const full = get("spool", "latency.backlog.claim.p50");
  const claim = empty !== undefined && full !== undefined ? full / empty : null;
  const atMost = (name: string, id: string, limit: number): Target => {
    const value = get("spool", id) ?? null;
    return { name, value, unit: "ms", limit: `≤ ${limit} ms`, met: value === null ? null : value <= limit };
  };
  const pageP95s = DASHBOARD_PAGES.map((path) => get("spool", `dashboard.page.${path}.p95`)).filter((v): v is number => v !== undefined);
  const slowestPage = pageP95s.length ? Math.max(...pageP95s) : null;
  const none = get("spool", "dashboard.e2e.none");
  const open = get("spool", `dashboard.e2e.open${OPEN_DASHBOARDS}`);
  const dashboardCost = none !== undefined && open !== undefined ? (1 - open / none) * 100 : null;
  return [
    { name: "slowest dashboard page p95 with the backlog", value: slowestPage, unit: "ms", limit: "≤ 50 ms", met: slowestPage === null ? null : slowestPage <= 50 },
    { name: `${OPEN_DASHBOARDS} open dashboards' cost to end-to-end throughput, %`, value: dashboardCost, unit: "%", limit: "≤ 3 %", met: dashboardCost === null ? null : dashboardCost <= 3 },
    { name: "in-process worker end-to-end at concurrency 10, spool/BullMQ", value: e2e, limit: "≥ 1.50×", met: e2e === null ? null : e2e >= 1.5 },
    { name: "spool claim p50 with the backlog / empty database", value: claim, limit: "≤ 1.50×", met: claim === null ? null : claim <= 1.5 },
    atMost("enqueue → start p50, long-polling HTTP worker", "start.http.p50", 2),
    atMost("enqueue → start p99, long-polling HTTP worker", "start.http.p99", 10),
    atMost("enqueue → start p50, in-process worker", "start.inprocess.p50", 2),
    atMost("enqueue → start p99, in-process worker", "start.inprocess.p99", 10),
  ];
}

export function renderReport(o: BenchOptions, figures: Figure[], header: string[]): { text: string; targets: Target[] } {
  const get = (engine: Engine, id: string) => figures.find((f) => f.engine === engine && f.id === id)?.value;
  const lines = [...header, ""];
  for (const s of sections(o)) {
    const better = s.unit === "ms" ? "lower is better" : "higher is better";
    lines.push(`${s.title} (${s.unit}, ${better})`, `  ${s.note}`);
    lines.push(`  ${pad("scenario", 62)}${pad("spool", 12, true)}${pad("BullMQ", 12, true)}${pad("spool/BullMQ", 14, true)}`);
    for (const r of s.rows) {
      const a = get("spool", r.spool);
      const b = r.bullmq ? get("bullmq", r.bullmq) : undefined;
      lines.push(`  ${pad(r.label, 62)}${pad(fmt(a, s.unit), 12, true)}${pad(fmt(b, s.unit), 12, true)}${pad(ratio(a, b), 14, true)}`);
    }
    lines.push("");
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
