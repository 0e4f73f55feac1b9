/** The event log on Redis: reading after an id with filters, a job's timeline, appending alert events, pruning, error groups. */
import { randomUUID } from "node:crypto";
import type { JobError } from "../../core/job.ts";
import type { AlertEventType, ErrorFailure, ErrorSample, EventFilters, EventsPage, MonitorEvent } from "../../core/monitor-store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import { toEvent, type Entry } from "./event-entry.ts";
import eventAppendLua from "./lua/event-append.lua" with { type: "text" };
import eventsPruneLua from "./lua/events-prune.lua" with { type: "text" };
import { entryEventId, eventEntryId, monitorKeys } from "./monitor-keys.ts";

export const EVENT_SCRIPTS = { eventAppend: eventAppendLua, eventsPrune: eventsPruneLua };

/** Ids examined per read, so a selective filter never scans the whole log at once (as on SQLite). */
const SCAN_WINDOW = 10_000;

/** Entries read per round trip while a filtered read scans its window. */
const READ_CHUNK = 1000;

const JOB_ID = /^[1-9][0-9]{0,15}$/;

export async function latestEventId(ctx: RedisContext): Promise<number> {
  return Number((await ctx.redis.get(monitorKeys(ctx.keys).eventsSeq)) ?? 0);
}

/** The entries of the given event ids that are still in the log, in the order given. */
async function entriesOf(ctx: RedisContext, ids: number[]): Promise<Entry[]> {
  if (!ids.length) return [];
  const stream = monitorKeys(ctx.keys).events;
  const pipe = ctx.redis.pipeline();
  for (const n of ids) pipe.xrange(stream, eventEntryId(n), eventEntryId(n));
  return ((await answersOf(pipe)) as Entry[][]).flat();
}

const matches = (e: MonitorEvent, f: EventFilters) =>
  (f.queue === undefined || e.queue === f.queue) && (f.key === undefined || e.key === f.key) && (f.jobId === undefined || e.jobId === f.jobId);

/**
 * Events after `afterId` matching the filters, within a window of SCAN_WINDOW ids. A job filter
 * reads the job's timeline instead of the window's entries while the job exists; a deleted job's
 * events, still in the log, are found in the window as any other filter finds them.
 */
export async function eventsAfter(ctx: RedisContext, p: { afterId: number; filters: EventFilters; limit: number }): Promise<EventsPage> {
  const afterId = Math.max(0, Math.floor(p.afterId));
  const latest = await latestEventId(ctx);
  const upper = Math.min(latest, afterId + SCAN_WINDOW);
  if (upper <= afterId) return { events: [], lastId: afterId, atEnd: true };
  const timeline = p.filters.jobId === undefined ? null : await timelineOf(ctx, p.filters.jobId);
  const events = timeline === null
    ? await scanWindow(ctx, afterId, upper, p.filters, p.limit)
    : await timelineWindow(ctx, timeline, afterId, upper, p.filters, p.limit);
  const lastId = events.length === p.limit ? events[events.length - 1]!.id : upper;
  return { events, lastId, atEnd: lastId === latest };
}

async function scanWindow(ctx: RedisContext, afterId: number, upper: number, filters: EventFilters, limit: number): Promise<MonitorEvent[]> {
  const stream = monitorKeys(ctx.keys).events;
  const filtered = filters.queue !== undefined || filters.key !== undefined || filters.jobId !== undefined;
  const out: MonitorEvent[] = [];
  let start = `${afterId + 1}-0`;
  while (out.length < limit) {
    const count = filtered ? Math.max(READ_CHUNK, limit) : limit - out.length;
    const entries = (await ctx.redis.xrange(stream, start, eventEntryId(upper), "COUNT", count)) as Entry[];
    for (const entry of entries) {
      const e = toEvent(entry);
      if (!matches(e, filters)) continue;
      out.push(e);
      if (out.length === limit) return out;
    }
    if (entries.length < count) return out;
    start = `${entryEventId(entries[entries.length - 1]![0]) + 1}-0`;
  }
  return out;
}

/**
 * A job's timeline: the ids of its events, oldest first, pruned ones included (its hash's `ev`,
 * lua/lib/changes.lua), after those of a timeline list an earlier release kept for it; null when
 * there is no such job now (it may have been deleted).
 */
async function timelineOf(ctx: RedisContext, jobId: string): Promise<number[] | null> {
  if (!JOB_ID.test(jobId)) return []; // names no job, and no deleted one either
  const [[fieldsError, fields], [listError, list]] = (await ctx.redis
    .pipeline()
    .hmget(ctx.keys.job(jobId), "state", "ev")
    .lrange(monitorKeys(ctx.keys).jobEvents(jobId), 0, -1)
    .exec())!;
  if (fieldsError || listError) throw fieldsError ?? listError;
  const [state, ev] = fields as (string | null)[];
  if (state === null) return null;
  return [...(list as string[]), ...(ev ? ev.split(",") : [])].map(Number);
}

async function timelineWindow(ctx: RedisContext, ids: number[], afterId: number, upper: number, filters: EventFilters, limit: number): Promise<MonitorEvent[]> {
  const inWindow = ids.filter((n) => n > afterId && n <= upper);
  const out: MonitorEvent[] = [];
  for (let i = 0; i < inWindow.length && out.length < limit; i += READ_CHUNK) {
    for (const entry of await entriesOf(ctx, inWindow.slice(i, i + READ_CHUNK))) {
      const e = toEvent(entry);
      if (matches(e, filters)) out.push(e);
      if (out.length === limit) break;
    }
  }
  return out;
}

/**
 * The newest `limit` events of one job still in the log, oldest first, through its timeline. A
 * deleted job's timeline goes with it (its events stay in the log: eventsAfter with its jobId).
 */
export async function jobEvents(ctx: RedisContext, p: { jobId: string; limit: number }): Promise<MonitorEvent[]> {
  if (p.limit < 1) return [];
  const timeline = await timelineOf(ctx, p.jobId);
  // Pruning takes the oldest events first, so the ones left are the newest of the timeline.
  return timeline === null ? [] : (await entriesOf(ctx, timeline.slice(-p.limit))).map(toEvent);
}

export async function eventAppend(ctx: RedisContext, p: { type: AlertEventType; queue: string | null; data: unknown; now: number }): Promise<number> {
  const queue = p.queue === null ? "" : `=${p.queue}`;
  return Number(await ctx.scripts.run("eventAppend", [randomUUID(), p.now, p.type, queue, JSON.stringify(p.data ?? null)]));
}

/** Deletes up to `limit` of the oldest events beyond the newest `keep`, never past the fold cursor nor the newest. */
export async function eventsPruneBatch(ctx: RedisContext, p: { keep: number; limit: number }): Promise<number> {
  return Number(await ctx.scripts.run("eventsPrune", [Math.max(0, Math.floor(p.keep)), Math.max(0, Math.floor(p.limit))]));
}

/**
 * Failed attempts of a queue and error type still in the log, newest first, below `before`:
 * walked down the error group's index; an entry whose event is gone is passed over.
 */
async function failuresBelow(ctx: RedisContext, p: { queue: string; type: string; before: number; limit: number }): Promise<ErrorFailure[]> {
  const index = monitorKeys(ctx.keys).errors(p.queue, p.type);
  const out: ErrorFailure[] = [];
  let max = p.before === Infinity ? "+inf" : `(${p.before}`;
  while (out.length < p.limit) {
    const want = p.limit - out.length;
    const members = await ctx.redis.zrevrangebyscore(index, max, "-inf", "LIMIT", 0, want);
    if (!members.length) return out;
    const entries = new Map((await entriesOf(ctx, members.map(entryIdOfMember))).map((entry) => [entryEventId(entry[0]), entry]));
    for (const member of members) {
      const eventId = entryIdOfMember(member);
      const entry = entries.get(eventId);
      if (!entry) continue;
      const e = toEvent(entry);
      out.push({ eventId, jobId: member.slice(member.indexOf(":") + 1), at: e.at, attempt: e.attempt });
    }
    if (members.length < want) return out;
    max = `(${entryIdOfMember(members[members.length - 1]!)}`;
  }
  return out;
}

const entryIdOfMember = (member: string): number => Number(member.slice(0, member.indexOf(":")));

export async function errorFailures(ctx: RedisContext, p: { queue: string; type: string; beforeEventId?: number; limit: number }): Promise<ErrorFailure[]> {
  const before = p.beforeEventId === undefined ? Infinity : Math.floor(p.beforeEventId);
  return failuresBelow(ctx, { queue: p.queue, type: p.type, before, limit: Math.max(1, Math.floor(p.limit)) });
}

/** The newest failure of the group still in the log, and its job's newest message of that type; null when either is gone. */
export async function errorSample(ctx: RedisContext, p: { queue: string; type: string }): Promise<ErrorSample | null> {
  const [newest] = await failuresBelow(ctx, { ...p, before: Infinity, limit: 1 });
  if (!newest) return null;
  const errors = await ctx.redis.hget(monitorKeys(ctx.keys).job(newest.jobId), "errors");
  if (errors === null) return null;
  const error = (JSON.parse(errors) as JobError[]).findLast((e) => e.type === p.type);
  return error ? { jobId: newest.jobId, message: error.message } : null;
}
