/**
 * Prometheus metrics (prom-client, own Registry): queue depth, finished jobs, run and wait
 * time histograms, workers online, firing alerts, blocked lanes, refused stale completions, and
 * the size of the store's files (SQLite).
 * Counters and histograms are cumulative sums of the stored aggregates, so they agree
 * across restarts and processes; minutes older than a short lag are summed once and kept.
 */
import { Counter, Gauge, Registry } from "prom-client";
import { HISTOGRAM_BOUNDS_MS, type StatsCounters } from "../core/monitor-store.ts";
import { hasFiles, type Store } from "../core/store.ts";
import { ONLINE_WINDOW_MS } from "../core/worker-store.ts";
import { addBuckets, addCounters, zeroBuckets, zeroCounters } from "./stats.ts";

/** Minutes younger than this may still change; they are read afresh on every scrape. */
const OPEN_MINUTES_MS = 3 * 60_000;

type QueueTotals = { counters: StatsCounters; run: number[]; wait: number[] };

/** A histogram whose buckets come from the store: exposed as-is through prom-client's metric interface. */
class StoredHistogram {
  readonly type = "histogram" as const;
  readonly aggregator = "sum" as const;
  values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];

  constructor(readonly name: string, readonly help: string) {}

  set(byQueue: Map<string, { buckets: number[]; sumMs: number; count: number }>): void {
    this.values = [];
    for (const [queue, h] of byQueue) {
      let cumulative = 0;
      HISTOGRAM_BOUNDS_MS.forEach((bound, i) => {
        cumulative += h.buckets[i] ?? 0;
        this.values.push({ metricName: `${this.name}_bucket`, labels: { queue, le: bound / 1000 }, value: cumulative });
      });
      this.values.push({ metricName: `${this.name}_bucket`, labels: { queue, le: "+Inf" }, value: h.count });
      this.values.push({ metricName: `${this.name}_sum`, labels: { queue }, value: h.sumMs / 1000 });
      this.values.push({ metricName: `${this.name}_count`, labels: { queue }, value: h.count });
    }
  }

  async get() {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.values };
  }

  reset(): void {
    this.values = [];
  }
}

export class Metrics {
  readonly registry = new Registry();
  private readonly depth = new Gauge({ name: "spool_jobs", help: "Jobs by queue and state", labelNames: ["queue", "state"], registers: [this.registry] });
  private readonly finished = new Counter({
    name: "spool_jobs_finished_total", help: "Jobs finished, by queue and outcome (completed, failed, cancelled)",
    labelNames: ["queue", "outcome"], registers: [this.registry],
  });
  private readonly runTime = new StoredHistogram("spool_job_run_seconds", "Run time of completed attempts");
  private readonly waitTime = new StoredHistogram("spool_job_wait_seconds", "Time from runnable to started");
  private readonly workersOnline = new Gauge({ name: "spool_workers_online", help: `Workers seen in the last ${ONLINE_WINDOW_MS / 1000} s`, registers: [this.registry] });
  private readonly alertsFiring = new Gauge({ name: "spool_alerts_firing", help: "Firing alerts by rule and severity", labelNames: ["rule", "severity"], registers: [this.registry] });
  private readonly lanesBlocked = new Gauge({ name: "spool_lanes_blocked", help: "Lanes stopped behind a failed head, by queue", labelNames: ["queue"], registers: [this.registry] });
  private readonly laneBlockedAge = new Gauge({
    name: "spool_lane_blocked_oldest_seconds", help: "How long the oldest blocked lane of each queue has been blocked",
    labelNames: ["queue"], registers: [this.registry],
  });
  private readonly oldestWaiting = new Gauge({
    name: "spool_queue_oldest_waiting_seconds", help: "How long the longest-waiting runnable job of each queue with waiting jobs has waited",
    labelNames: ["queue"], registers: [this.registry],
  });
  private readonly refused = new Counter({
    name: "spool_stale_completions_refused_total", help: "Completes and fails refused because the lease was stale (this process)",
    registers: [this.registry],
  });
  private readonly storageBytes = new Gauge({
    name: "spool_storage_bytes", help: "Size of the store's files on disk: the database and its write-ahead log (SQLite only)",
    labelNames: ["file"], registers: [this.registry],
  });
  private closed = new Map<string, QueueTotals>();
  private closedUpTo = 0;
  private scraping: Promise<string> = Promise.resolve("");

  constructor(private readonly deps: { store: Store; refusedCompletions: () => number }) {
    this.registry.registerMetric(this.runTime as never);
    this.registry.registerMetric(this.waitTime as never);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text; concurrent scrapes take turns. */
  scrape(now: number): Promise<string> {
    this.scraping = this.scraping.catch(() => "").then(() => this.render(now));
    return this.scraping;
  }

  private async render(now: number): Promise<string> {
    const { store } = this.deps;
    const [counts, totals, workers, alerts, lanes] = await Promise.all([
      store.countsTotal({ now }),
      this.cumulative(now),
      store.workersList({ now }),
      store.alertsList({ state: "firing", limit: 10_000, now }),
      store.lanesBlocked({ now }),
    ]);
    this.depth.reset();
    for (const [queue, c] of Object.entries(counts.queues)) {
      for (const [state, n] of Object.entries(c)) this.depth.set({ queue, state }, n);
    }
    this.oldestWaiting.reset();
    const backlogged = Object.entries(counts.queues).filter(([, c]) => c.waiting > 0).map(([queue]) => queue);
    const since = await Promise.all(backlogged.map((queue) => store.queueOldestWaiting({ queue })));
    backlogged.forEach((queue, i) => since[i] != null && this.oldestWaiting.set({ queue }, Math.max(0, (now - since[i]!) / 1000)));
    this.finished.reset();
    for (const [queue, t] of totals) {
      this.finished.inc({ queue, outcome: "completed" }, t.counters.completed);
      this.finished.inc({ queue, outcome: "failed" }, t.counters.failed);
      this.finished.inc({ queue, outcome: "cancelled" }, t.counters.cancelled);
    }
    const histogram = (pick: (t: QueueTotals) => { buckets: number[]; sumMs: number; count: number }) =>
      new Map([...totals].map(([queue, t]) => [queue, pick(t)]));
    this.runTime.set(histogram((t) => ({ buckets: t.run, sumMs: t.counters.runMs, count: t.counters.completed })));
    this.waitTime.set(histogram((t) => ({ buckets: t.wait, sumMs: t.counters.waitMs, count: t.counters.started })));
    this.workersOnline.set(workers.filter((w) => now - w.lastSeenAt <= ONLINE_WINDOW_MS).length);
    this.alertsFiring.reset();
    for (const a of alerts) this.alertsFiring.inc({ rule: a.rule, severity: a.severity });
    this.lanesBlocked.reset();
    this.laneBlockedAge.reset();
    for (const l of lanes) {
      this.lanesBlocked.set({ queue: l.queue }, l.blocked);
      if (l.oldestSince !== null) this.laneBlockedAge.set({ queue: l.queue }, Math.max(0, (now - l.oldestSince) / 1000));
    }
    this.refused.reset();
    this.refused.inc(this.deps.refusedCompletions());
    if (hasFiles(store)) {
      const files = store.files();
      this.storageBytes.set({ file: "database" }, files.databaseBytes);
      this.storageBytes.set({ file: "wal" }, files.walBytes);
    }
    return this.registry.metrics();
  }

  /** All-time totals per queue: the closed minutes summed once, plus the open ones read now. */
  private async cumulative(now: number): Promise<Map<string, QueueTotals>> {
    const boundary = now - OPEN_MINUTES_MS - (now % 60_000);
    if (boundary > this.closedUpTo) {
      const add = await this.range(this.closedUpTo, boundary, now);
      for (const [queue, t] of add) mergeInto(this.closed, queue, t);
      this.closedUpTo = boundary;
    }
    const result = new Map<string, QueueTotals>();
    for (const [queue, t] of this.closed) mergeInto(result, queue, t);
    for (const [queue, t] of await this.range(this.closedUpTo, now + 60_000, now)) mergeInto(result, queue, t);
    return result;
  }

  private async range(from: number, to: number, now: number): Promise<Map<string, QueueTotals>> {
    const [totals, run, wait] = await Promise.all([
      this.deps.store.statsTotals({ from, to, now }),
      this.deps.store.statsHistogram({ from, to, metric: "run", now }),
      this.deps.store.statsHistogram({ from, to, metric: "wait", now }),
    ]);
    const out = new Map<string, QueueTotals>();
    for (const { queue, ...c } of totals) out.set(queue, { counters: c, run: zeroBuckets(), wait: zeroBuckets() });
    for (const h of run) out.get(h.queue)?.run.splice(0, h.buckets.length, ...h.buckets);
    for (const h of wait) out.get(h.queue)?.wait.splice(0, h.buckets.length, ...h.buckets);
    return out;
  }
}

function mergeInto(into: Map<string, QueueTotals>, queue: string, add: QueueTotals): void {
  const t = into.get(queue) ?? { counters: zeroCounters(), run: zeroBuckets(), wait: zeroBuckets() };
  addCounters(t.counters, add.counters);
  addBuckets(t.run, add.run);
  addBuckets(t.wait, add.wait);
  into.set(queue, t);
}
