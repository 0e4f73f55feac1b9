/** Reading the per-minute aggregates on Redis: totals, series, histograms, errors, slowest jobs; pruning them by age. */
import { HOUR_MS, MINUTE_MS, zeroCounters } from "../../core/event-counting.ts";
import {
  HISTOGRAM_BUCKETS, type ErrorCount, type ErrorMinute, type QueueHistogram, type QueueStats, type SeriesPoint, type SlowJob, type StatsCounters,
} from "../../core/monitor-store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import historyPruneLua from "./lua/history-prune.lua" with { type: "text" };
import { monitorKeys, splitField } from "./monitor-keys.ts";
import { slowJobOf } from "./stats-fold.ts";

export const STATS_SCRIPTS = { historyPrune: historyPruneLua };

type Range = { from: number; to: number };

/** Minutes, hours or alerts handled per history-prune script run. */
const PRUNE_BATCH = 500;

/** Byte order, as SQLite's ORDER BY compares text. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Minute starts holding aggregates in [from, to), oldest first. */
async function minutesIn(ctx: RedisContext, p: Range): Promise<number[]> {
  return (await ctx.redis.zrangebyscore(monitorKeys(ctx.keys).minutes, p.from, `(${p.to}`)).map(Number);
}

/** One hash per minute, read in one round trip: minute → field → n. */
async function readHashes(ctx: RedisContext, minutes: number[], keyOf: (minute: number) => string): Promise<[number, Record<string, string>][]> {
  if (!minutes.length) return [];
  const pipe = ctx.redis.pipeline();
  for (const m of minutes) pipe.hgetall(keyOf(m));
  const hashes = (await answersOf(pipe)) as Record<string, string>[];
  return hashes.map((hash, i) => [minutes[i]!, hash]);
}

/** Adds one minute's counter fields (`<queue>|<counter>`) to per-group sums; `group` picks the sums a queue's counters go to (none: skipped). */
function addCounters(hash: Record<string, string>, group: (queue: string) => StatsCounters | undefined): void {
  for (const [field, n] of Object.entries(hash)) {
    const [queue, counter] = splitField(field);
    const sums = group(queue);
    if (sums && counter in sums) sums[counter as keyof StatsCounters] += Number(n);
  }
}

export async function statsTotals(ctx: RedisContext, p: Range): Promise<QueueStats[]> {
  const k = monitorKeys(ctx.keys);
  const byQueue = new Map<string, StatsCounters>();
  for (const [, hash] of await readHashes(ctx, await minutesIn(ctx, p), k.counters)) {
    addCounters(hash, (queue) => byQueue.get(queue) ?? byQueue.set(queue, zeroCounters()).get(queue));
  }
  return [...byQueue].sort(([a], [b]) => byText(a, b)).map(([queue, c]) => ({ queue, ...c }));
}

export async function statsSeries(ctx: RedisContext, p: Range & { stepMs: number; queue?: string }): Promise<SeriesPoint[]> {
  const k = monitorKeys(ctx.keys);
  const step = Math.max(MINUTE_MS, p.stepMs - (p.stepMs % MINUTE_MS));
  const points = new Map<number, StatsCounters>();
  for (const [minute, hash] of await readHashes(ctx, await minutesIn(ctx, p), k.counters)) {
    const at = minute - (minute % step);
    addCounters(hash, (queue) => {
      if (p.queue !== undefined && queue !== p.queue) return undefined;
      return points.get(at) ?? points.set(at, zeroCounters()).get(at);
    });
  }
  return [...points].sort(([a], [b]) => a - b).map(([at, c]) => ({ at, ...c }));
}

export async function statsHistogram(ctx: RedisContext, p: Range & { metric: "run" | "wait" }): Promise<QueueHistogram[]> {
  const k = monitorKeys(ctx.keys);
  const byQueue = new Map<string, number[]>();
  for (const [, hash] of await readHashes(ctx, await minutesIn(ctx, p), (m) => k.histogram(m, p.metric))) {
    for (const [field, n] of Object.entries(hash)) {
      const [queue, bucket] = splitField(field);
      let buckets = byQueue.get(queue);
      if (!buckets) byQueue.set(queue, (buckets = new Array<number>(HISTOGRAM_BUCKETS).fill(0)));
      buckets[Number(bucket)]! += Number(n);
    }
  }
  return [...byQueue].sort(([a], [b]) => byText(a, b)).map(([queue, buckets]) => ({ queue, buckets }));
}

/** Failed attempts per minute, queue and error type, oldest minute first. */
export async function statsErrorMinutes(ctx: RedisContext, p: Range & { queue?: string }): Promise<ErrorMinute[]> {
  const k = monitorKeys(ctx.keys);
  const out: ErrorMinute[] = [];
  for (const [minute, hash] of await readHashes(ctx, await minutesIn(ctx, p), k.minuteErrors)) {
    const rows: ErrorMinute[] = [];
    for (const [field, n] of Object.entries(hash)) {
      const [queue, type] = splitField(field);
      if (p.queue === undefined || queue === p.queue) rows.push({ minute, queue, type, n: Number(n) });
    }
    out.push(...rows.sort((a, b) => byText(a.queue, b.queue) || byText(a.type, b.type)));
  }
  return out;
}

export async function statsErrors(ctx: RedisContext, p: Range): Promise<ErrorCount[]> {
  const sums = new Map<string, ErrorCount>();
  for (const { queue, type, n } of await statsErrorMinutes(ctx, p)) {
    const field = `${queue}|${type}`;
    const sum = sums.get(field);
    if (sum) sum.n += n;
    else sums.set(field, { queue, type, n });
  }
  return [...sums.values()].sort((a, b) => b.n - a.n || byText(a.queue, b.queue) || byText(a.type, b.type));
}

/** The slowest completions that finished in the range, slowest first (equal run times: lower job id first). */
export async function statsSlowest(ctx: RedisContext, p: Range & { limit: number }): Promise<SlowJob[]> {
  const k = monitorKeys(ctx.keys);
  const hours = await ctx.redis.zrangebyscore(k.slowHours, p.from - (p.from % HOUR_MS), `(${p.to}`);
  if (!hours.length) return [];
  const pipe = ctx.redis.pipeline();
  for (const hour of hours) pipe.zrange(k.slowest(Number(hour)), 0, "-1");
  const jobs: SlowJob[] = [];
  for (const members of (await answersOf(pipe)) as string[][]) {
    for (const job of members.map(slowJobOf)) {
      if (job.finishedAt >= p.from && job.finishedAt < p.to) jobs.push(job);
    }
  }
  jobs.sort((a, b) => b.runMs - a.runMs || Number(a.jobId) - Number(b.jobId));
  return jobs.slice(0, Math.max(0, p.limit));
}

/** Drops aggregates and resolved alerts older than `before`, one bounded script run at a time; returns how many rows went. */
export async function historyPrune(ctx: RedisContext, p: { before: number }): Promise<number> {
  let total = 0;
  for (;;) {
    const [rows, more] = await ctx.scripts.run<[number, number]>("historyPrune", [p.before, PRUNE_BATCH]);
    total += rows;
    if (!more) return total;
  }
}
