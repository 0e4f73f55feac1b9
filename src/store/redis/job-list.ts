/**
 * Listing jobs newest first by keyset: each filter combination reads a queue's id indexes (keys.ts)
 * from the cursor down, so a page costs the same whatever the backlog. Without a queue filter
 * the indexes of every queue are merged by id (a page reads at most a page of ids from each).
 * Waiting jobs are read from the ready set, one band of scores per priority; active jobs from the
 * lease set, whole (there are only as many as leases held). A key filter with a state reads the
 * key's index and keeps that state; search reads a bounded window (SEARCH_WINDOW), like the
 * SQLite store.
 */
import { validationFailed } from "../../core/errors.ts";
import { PRIORITY, type Job, type JobState } from "../../core/job.ts";
import { SEARCH_WINDOW, type JobListParams, type JobPage } from "../../core/store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import { hashToJob, isJobId } from "./job-hash.ts";

/**
 * An index of job ids: by score = `offset` + id (an id index, or one priority's `band` of the
 * ready set), or `whole`: a set small enough to read at once, whatever its scores (the lease set).
 */
type IdIndex = { key: string; offset: number; band?: true } | { key: string; whole: true };
type Source = { indexes: IdIndex[]; keep: (job: Job) => boolean };

/** Scores of one priority in the ready set: (10 - priority) * 2^40 + id (lua/lib/basics.lua ready_score). */
const BAND = 2 ** 40;
const PRIORITIES = Array.from({ length: PRIORITY.URGENT - PRIORITY.LOW + 1 }, (_, i) => PRIORITY.LOW + i);

export async function listJobs(ctx: RedisContext, p: JobListParams): Promise<JobPage> {
  if (p.cursor !== undefined && !isJobId(p.cursor)) throw validationFailed(`invalid cursor "${p.cursor}": pass nextCursor from a previous page`);
  const cursor = p.cursor === undefined ? null : Number(p.cursor);
  const source = await sourcesOf(ctx, p);
  if (!p.q) {
    const jobs = await newest(ctx, source, cursor, p.limit + 1);
    const page = jobs.slice(0, p.limit);
    return { jobs: page, nextCursor: jobs.length > p.limit ? page[page.length - 1]!.id : null };
  }
  const window = await newest(ctx, source, cursor, SEARCH_WINDOW + 1);
  const scanned = window.slice(0, SEARCH_WINDOW);
  const matches = scanned.filter(matcher(p.q));
  if (matches.length > p.limit) {
    const page = matches.slice(0, p.limit);
    return { jobs: page, nextCursor: page[page.length - 1]!.id };
  }
  return { jobs: matches, nextCursor: window.length > SEARCH_WINDOW ? scanned[scanned.length - 1]!.id : null };
}

/** The id indexes to read for the filters, with what their jobs must still pass. */
async function sourcesOf(ctx: RedisContext, p: JobListParams): Promise<Source> {
  const { keys } = ctx;
  const queues = p.queue !== undefined ? [p.queue] : await ctx.redis.hkeys(keys.queueConfigs());
  if (p.key !== undefined) {
    const inState = (job: Job) => job.state === p.state;
    const indexes = queues.map((queue) => ({ key: keys.inQueue(queue, `key:${p.key}`), offset: 0 }));
    return { indexes, keep: p.state ? inState : () => true };
  }
  return { indexes: queues.flatMap((queue) => indexesOf(ctx, queue, p.state)), keep: () => true };
}

function indexesOf(ctx: RedisContext, queue: string, state: JobState | undefined): IdIndex[] {
  const index = (what: string) => ctx.keys.inQueue(queue, what);
  if (state === "waiting") return PRIORITIES.map((priority) => ({ key: index("ready"), offset: (PRIORITY.URGENT - priority) * BAND, band: true }));
  if (state === "active") return [{ key: index("leases"), whole: true }];
  return [{ key: index(state ? `st:${state}` : "all"), offset: 0 }];
}

/**
 * The newest `n` jobs of the source below `cursor`: reads a chunk of ids from each index, takes
 * the newest chunk of them all, and goes on below it until it has enough.
 */
async function newest(ctx: RedisContext, source: Source, cursor: number | null, n: number): Promise<Job[]> {
  const out: Job[] = [];
  let below = cursor;
  const chunk = Math.max(n, 100);
  for (;;) {
    const lists = await readIds(ctx, source.indexes, below, chunk);
    const merged = lists.length === 1 ? lists[0]! : lists.flat().sort((a, b) => Number(b) - Number(a));
    const ids = merged.slice(0, chunk);
    if (!ids.length) return out;
    const pipeline = ctx.redis.pipeline();
    for (const id of ids) pipeline.hgetall(ctx.keys.job(id));
    const hashes = (await answersOf(pipeline)) as Record<string, string>[];
    for (let i = 0; i < ids.length; i++) {
      const job = hashToJob(ids[i]!, hashes[i] ?? {});
      if (job && source.keep(job)) out.push(job);
      if (out.length === n) return out;
    }
    if (merged.length <= chunk && lists.every((list) => list.length < chunk)) return out;
    below = Number(ids[ids.length - 1]);
  }
}

/** The top of an index's scores below id `below`: its band's top, or no limit for an id index. */
function upper(index: { offset: number; band?: true }, below: number | null): string {
  if (below !== null) return `(${index.offset + below}`;
  return index.band ? String(index.offset + BAND - 1) : "+inf";
}

/** Up to `chunk` ids of each index below id `below` (all when null), newest first. */
async function readIds(ctx: RedisContext, indexes: IdIndex[], below: number | null, chunk: number): Promise<string[][]> {
  const reads = ctx.redis.pipeline();
  for (const index of indexes) {
    if ("whole" in index) reads.zrange(index.key, "0", "-1");
    else reads.zrevrangebyscore(index.key, upper(index, below), String(index.offset), "LIMIT", 0, chunk);
  }
  const replies = (await answersOf(reads)) as string[][];
  return replies.map((ids, i) => {
    if (!("whole" in indexes[i]!)) return ids;
    return ids.filter((id) => below === null || Number(id) < below).sort((a, b) => Number(b) - Number(a)).slice(0, chunk);
  });
}

/** Case-insensitive: the id exactly, or the text anywhere in the key or the payload's JSON. */
function matcher(q: string): (job: Job) => boolean {
  const needle = q.toLowerCase();
  return (job) => job.id === q || (job.key?.toLowerCase().includes(needle) ?? false) || JSON.stringify(job.payload).toLowerCase().includes(needle);
}
