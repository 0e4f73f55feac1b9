/**
 * Folding the event log into the per-minute aggregates on Redis, each event counted exactly once:
 * a batch of events after the fold cursor is read and summed here (src/core/event-counting.ts),
 * then fold.lua adds the sums and moves the cursor only if no other server folded that batch first.
 */
import { SLOWEST_PER_HOUR, sumEvents, type EventSums } from "../../core/event-counting.ts";
import type { MonitorEvent, SlowJob, StatsCounters } from "../../core/monitor-store.ts";
import type { RedisContext } from "./context.ts";
import foldLua from "./lua/fold.lua" with { type: "text" };
import { eventEntryId, monitorKeys } from "./monitor-keys.ts";
import { toEvent } from "./event-entry.ts";
import { latestEventId } from "./monitor-events.ts";

export const FOLD_SCRIPTS = { statsFold: foldLua };

/** Events read and folded per script run, so a fold never holds Redis for long. */
export const FOLD_BATCH = 5000;

const COUNTERS: (keyof StatsCounters)[] = ["enqueued", "started", "completed", "failed", "cancelled", "retried", "expired", "recovered", "runMs", "waitMs"];

export async function foldCursor(ctx: RedisContext): Promise<number> {
  return Number((await ctx.redis.get(monitorKeys(ctx.keys).fold)) ?? 0);
}

/** A slow:<hour> member: ranked so that, at equal run times, the lower job id sorts last and stays. */
export function slowMember(job: SlowJob): string {
  const rank = String(1e15 - Number(job.jobId)).padStart(16, "0");
  return `${rank}|${JSON.stringify(job)}`;
}

export function slowJobOf(member: string): SlowJob {
  return JSON.parse(member.slice(member.indexOf("|") + 1)) as SlowJob;
}

/** The fold script's arguments for one batch's sums (see the header of lua/fold.lua). */
function foldArgs(from: number, to: number, sums: EventSums<MonitorEvent>): (string | number)[] {
  const increments: (string | number)[] = [];
  const minutes = new Set<number>();
  const add = (key: string, field: string, n: number) => n !== 0 && increments.push(key, field, n);
  for (const [queue, byMinute] of sums.byQueue) {
    for (const [minute, s] of byMinute) {
      minutes.add(minute);
      for (const counter of COUNTERS) add(`agg:${minute}`, `${queue}|${counter}`, s.counters[counter]);
      s.run.forEach((n, bucket) => add(`agg:${minute}:run`, `${queue}|${bucket}`, n));
      s.wait.forEach((n, bucket) => add(`agg:${minute}:wait`, `${queue}|${bucket}`, n));
      for (const [type, n] of s.errors) add(`agg:${minute}:err`, `${queue}|${type}`, n);
    }
  }
  const slow: (string | number)[] = [];
  for (const [hour, top] of sums.slowest) {
    for (const e of top) {
      const job: SlowJob = { jobId: e.jobId!, queue: e.queue!, key: e.key, runMs: e.durationMs!, finishedAt: e.at };
      slow.push(hour, slowMember(job), job.runMs);
    }
  }
  return [from, to, SLOWEST_PER_HOUR, increments.length / 3, minutes.size, slow.length / 3, ...increments, ...minutes, ...slow];
}

/**
 * Folds one batch after the cursor, up to `upTo`; returns false when there was nothing left to
 * fold. A batch another server folded first is simply read again from the new cursor.
 */
async function foldBatch(ctx: RedisContext, upTo: number): Promise<boolean> {
  const from = await foldCursor(ctx);
  if (from >= upTo) return false;
  const entries = (await ctx.redis.xrange(monitorKeys(ctx.keys).events, `${from + 1}-0`, eventEntryId(upTo), "COUNT", FOLD_BATCH)) as [string, string[]][];
  const events = entries.map(toEvent);
  // A full batch ends at its last event; a short one covers every id up to upTo.
  const to = events.length === FOLD_BATCH ? events[events.length - 1]!.id : upTo;
  await ctx.scripts.run("statsFold", foldArgs(from, to, sumEvents(events)));
  return true;
}

/** Brings the aggregates up to the newest event as of the call (events appended meanwhile wait for the next fold). */
export async function statsFold(ctx: RedisContext): Promise<void> {
  const target = await latestEventId(ctx);
  while (await foldBatch(ctx, target));
}
