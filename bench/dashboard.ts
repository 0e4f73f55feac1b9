/**
 * The dashboard under load: every page and live fragment served with a large backlog (p50/p95
 * per page), and what open dashboards cost the queue's end-to-end throughput.
 */
import { join } from "node:path";
import type { QueueService } from "../src/core/queue-service.ts";
import type { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";
import { startServer, type RunningServer } from "../src/server.ts";
import { fillBacklog } from "./claim-latency.ts";
import { percentile, progress, rate, fmtRate, type Figure } from "./measure.ts";
import type { BenchOptions } from "./options.ts";
import { drainWithWorker, enqueueBatches } from "./spool-core.ts";
import { DASHBOARD_PAGES, DASHBOARD_QUEUE as QUEUE, OPEN_DASHBOARDS } from "./dashboard-pages.ts";
import { onCleanup, stopProcess, tempDir } from "./resources.ts";

async function serve(): Promise<RunningServer> {
  const server = await startServer({
    port: 0, host: "127.0.0.1", dataDir: tempDir(), durability: "normal", insecure: false, bodyLimitBytes: 1 << 20,
    rateLimitPerSecond: 0, adminToken: null, publicMetrics: false,
  });
  onCleanup(() => server.stop());
  return server;
}

/** p50 and p95 of `samples` reads of each page (after a warm-up), one at a time. */
async function timePages(server: RunningServer, jobId: string, samples: number): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const page of DASHBOARD_PAGES) {
    const path = page.replace("{job}", jobId);
    const times: number[] = [];
    for (let i = 0; i < samples + 5; i++) {
      const t0 = performance.now();
      const res = await fetch(server.url + path);
      if (res.status === 200) await res.text();
      if (i >= 5) times.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}: ${(await res.text()).match(/<p class="sub">([^<]*)/)?.[1] ?? ""}`);
    }
    const [p50, p95] = [percentile(times, 50), percentile(times, 95)];
    progress(`${page.padEnd(36)} p50 ${p50.toFixed(1)} ms  p95 ${p95.toFixed(1)} ms`);
    figures.push({ id: `dashboard.page.${page}.p50`, engine: "spool", value: p50, unit: "ms" });
    figures.push({ id: `dashboard.page.${page}.p95`, engine: "spool", value: p95, unit: "ms" });
  }
  return figures;
}

export async function runDashboardPages(o: BenchOptions): Promise<Figure[]> {
  const server = await serve();
  const svc = server.service as QueueService;
  await fillBacklog(svc, server.store as SqliteStore, QUEUE, o.rows);
  // Keys, failures and a worker, so the lists have something to show besides the backlog.
  await svc.enqueueMany(QUEUE, Array.from({ length: 50 }, (_, i) => ({ key: `shop-${i % 10}`, payload: { needle: i } })));
  const [job] = await svc.claim({ queue: QUEUE, workerId: "bench-dashboard", max: 1 });
  await svc.fail({ id: job!.id, token: job!.leaseToken!, error: { message: "card declined", type: "PaymentError" }, retry: false });
  return timePages(server, job!.id, o.quick ? 20 : 100);
}

/**
 * End-to-end throughput of the in-process worker (concurrency 10) on the server's store, with
 * `dashboards` open; and this process's CPU time per job over the same window (the server, its
 * worker, and what it spends answering the dashboards, whose own process is not counted).
 */
async function drainWithDashboards(
  server: RunningServer, n: number, dashboards: number, timeoutMs: number,
): Promise<{ rate: number; cpuUsPerJob: number; pages: number }> {
  const queue = `e2e-${dashboards}-${crypto.randomUUID().slice(0, 8)}`;
  await enqueueBatches(server.service, queue, n);
  const clients = dashboards === 0 ? null : Bun.spawn([process.execPath, join(import.meta.dir, "dashboard-clients.ts"), server.url, String(dashboards)], { stdout: "pipe", stderr: "inherit" });
  // The dashboards open and read their first page; without them the pause is kept too, so both
  // cases start as long after the enqueue (its checkpoint and garbage settled).
  await Bun.sleep(1000);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const done = await drainWithWorker(server.store, queue, 10, n, performance.now() + timeoutMs);
  // Folding the run's events into the aggregates is owed with or without a dashboard (the health
  // run does it every 30 s, and what it costs is monitoring's, measured by monitor-overhead.ts).
  // Open dashboards only do it sooner; settling it inside the timed window in both cases keeps
  // that from counting as theirs.
  await server.monitor.stats();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  let pages = 0;
  if (clients) {
    clients.kill("SIGTERM");
    pages = (JSON.parse((await new Response(clients.stdout).text()) || "{}") as { pages?: number }).pages ?? 0;
    await stopProcess(clients, 5000);
  }
  if (done !== n) throw new Error(`with ${dashboards} dashboards: completed ${done} of ${n}`);
  return { rate: rate(n, ms), cpuUsPerJob: (cpu.user + cpu.system) / n, pages };
}

export async function runDashboardOverhead(o: BenchOptions): Promise<Figure[]> {
  const server = await serve();
  // Long enough runs (five times a throughput scenario's jobs) that the dashboards refresh many times in each.
  const rounds = Math.max(7, o.rounds);
  const jobs = o.jobs * 5;
  const without: number[] = [];
  const withOpen: number[] = [];
  const cpuWithout: number[] = [];
  const cpuWithOpen: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so a drift in the machine's load hits both alike.
    const order = round % 2 ? [OPEN_DASHBOARDS, 0] : [0, OPEN_DASHBOARDS];
    for (const dashboards of order) {
      const r = await drainWithDashboards(server, jobs, dashboards, o.scenarioTimeoutMs);
      (dashboards ? withOpen : without).push(r.rate);
      (dashboards ? cpuWithOpen : cpuWithout).push(r.cpuUsPerJob);
      progress(`round ${round + 1}: ${dashboards} dashboards open: ${fmtRate(r.rate)}, ${r.cpuUsPerJob.toFixed(1)} µs of CPU a job${dashboards ? `, ${r.pages} pages read` : ""}`);
    }
  }
  const [a, b] = [percentile(without, 50), percentile(withOpen, 50)];
  // The cost is taken round by round, each round's two cases run back to back: the medians of
  // each case apart follow the machine when its speed shifts halfway through the rounds.
  const costs = without.map((none, i) => (1 - withOpen[i]! / none) * 100);
  // The same in CPU time per job, which a busy machine moves less than a rate: what the
  // dashboards take from the server, without the contention of their own process here.
  const cpuCosts = cpuWithout.map((none, i) => (cpuWithOpen[i]! / none - 1) * 100);
  return [
    { id: "dashboard.e2e.none", engine: "spool", value: a, unit: "jobs/s" },
    { id: `dashboard.e2e.open${OPEN_DASHBOARDS}`, engine: "spool", value: b, unit: "jobs/s" },
    { id: "dashboard.e2e.cost", engine: "spool", value: percentile(costs, 50), unit: "%" },
    { id: "dashboard.cpu.none", engine: "spool", value: percentile(cpuWithout, 50), unit: "µs" },
    { id: `dashboard.cpu.open${OPEN_DASHBOARDS}`, engine: "spool", value: percentile(cpuWithOpen, 50), unit: "µs" },
    { id: "dashboard.cpu.cost", engine: "spool", value: percentile(cpuCosts, 50), unit: "%" },
  ];
}
