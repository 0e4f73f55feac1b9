/**
 * Listing jobs newest first by keyset: each filter combination reads a queue's id index (keys.ts)
 * from the cursor down, so a page costs the same whatever the backlog. Without a queue filter
 * the indexes of every queue are merged by id (a page reads at most a page of ids from each).
 * A key filter with a state reads the key's index and keeps that state; search reads a bounded
 * window (SEARCH_WINDOW), like the SQLite store.
 */
import { validationFailed } from "../../core/errors.ts";
import type { Job } from "../../core/job.ts";
import { SEARCH_WINDOW, type JobListParams, type JobPage } from "../../core/store.ts";
import type { RedisContext } from "./context.ts";
import { hashToJob, isJobId } from "./job-hash.ts";

type Source = { indexes: string[]; keep: (job: Job) => boolean };

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
    return { indexes: queues.map((queue) => keys.inQueue(queue, `key:${p.key}`)), keep: p.state ? inState : () => true };
  }
  return { indexes: queues.map((queue) => keys.inQueue(queue, p.state ? `st:${p.state}` : "all")), keep: () => true };
}

/**
 * The newest `n` jobs of the source below `cursor`: reads a chunk of ids from each index, takes
 * the newest chunk of them all, and goes on below it until it has enough.
 */
async function newest(ctx: RedisContext, source: Source, cursor: number | null, n: number): Promise<Job[]> {
  const out: Job[] = [];
  let below = cursor === null ? "+inf" : `(${cursor}`;
  const chunk = Math.max(n, 100);
  for (;;) {
    const reads = ctx.redis.pipeline();
    for (const index of source.indexes) reads.zrevrangebyscore(index, below, "-inf", "LIMIT", 0, chunk);
    const lists = ((await reads.exec()) ?? []).map(([, ids]) => (ids ?? []) as string[]);
    const merged = source.indexes.length === 1 ? lists[0] ?? [] : lists.flat().sort((a, b) => Number(b) - Number(a));
    const ids = merged.slice(0, chunk);
    if (!ids.length) return out;
    const pipeline = ctx.redis.pipeline();
    for (const id of ids) pipeline.hgetall(ctx.keys.job(id));
    const hashes = (await pipeline.exec()) ?? [];
    for (let i = 0; i < ids.length; i++) {
      const job = hashToJob(ids[i]!, (hashes[i]?.[1] ?? {}) as Record<string, string>);
      if (job && source.keep(job)) out.push(job);
      if (out.length === n) return out;
    }
    if (merged.length <= chunk && lists.every((list) => list.length < chunk)) return out;
    below = `(${ids[ids.length - 1]}`;
  }
}

/** Case-insensitive: the id exactly, or the text anywhere in the key or the payload's JSON. */
function matcher(q: string): (job: Job) => boolean {
  const needle = q.toLowerCase();
  return (job) => job.id === q || (job.key?.toLowerCase().includes(needle) ?? false) || JSON.stringify(job.payload).toLowerCase().includes(needle);
}
