/**
 * Listing jobs newest first by keyset: each filter combination reads one id index (keys.ts)
 * from the cursor down, so a page costs the same whatever the backlog. A key filter with a
 * state reads the key's index and keeps that state; search reads a bounded window
 * (SEARCH_WINDOW), like the SQLite store.
 */
import { validationFailed } from "../../core/errors.ts";
import type { Job } from "../../core/job.ts";
import { SEARCH_WINDOW, type JobListParams, type JobPage } from "../../core/store.ts";
import type { RedisContext } from "./context.ts";
import { hashToJob, isJobId } from "./job-hash.ts";

type Source = { index: string; keep: (job: Job) => boolean };

export async function listJobs(ctx: RedisContext, p: JobListParams): Promise<JobPage> {
  if (p.cursor !== undefined && !isJobId(p.cursor)) throw validationFailed(`invalid cursor "${p.cursor}": pass nextCursor from a previous page`);
  const cursor = p.cursor === undefined ? null : Number(p.cursor);
  const sources = await sourcesOf(ctx, p);
  if (!p.q) {
    const jobs = await newest(ctx, sources, cursor, p.limit + 1);
    const page = jobs.slice(0, p.limit);
    return { jobs: page, nextCursor: jobs.length > p.limit ? page[page.length - 1]!.id : null };
  }
  const window = await newest(ctx, sources, cursor, SEARCH_WINDOW + 1);
  const scanned = window.slice(0, SEARCH_WINDOW);
  const matches = scanned.filter(matcher(p.q));
  if (matches.length > p.limit) {
    const page = matches.slice(0, p.limit);
    return { jobs: page, nextCursor: page[page.length - 1]!.id };
  }
  return { jobs: matches, nextCursor: window.length > SEARCH_WINDOW ? scanned[scanned.length - 1]!.id : null };
}

/** The id indexes to read for the filters, each with what its jobs must still pass. */
async function sourcesOf(ctx: RedisContext, p: JobListParams): Promise<Source[]> {
  const { keys } = ctx;
  const all = () => true;
  const inState = (job: Job) => job.state === p.state;
  if (p.key !== undefined) {
    const queues = p.queue !== undefined ? [p.queue] : await ctx.redis.hkeys(keys.queueConfigs());
    return queues.map((queue) => ({ index: keys.inQueue(queue, `key:${p.key}`), keep: p.state ? inState : all }));
  }
  if (p.queue !== undefined) return [{ index: keys.inQueue(p.queue, p.state ? `st:${p.state}` : "all"), keep: all }];
  if (p.state !== undefined) return [{ index: keys.k("st", p.state), keep: all }];
  return [{ index: keys.k("all"), keep: all }];
}

/** The newest `n` jobs of the sources below `cursor`, reading each index in chunks until it has enough. */
async function newest(ctx: RedisContext, sources: Source[], cursor: number | null, n: number): Promise<Job[]> {
  const parts = await Promise.all(sources.map((source) => newestOf(ctx, source, cursor, n)));
  if (parts.length === 1) return parts[0]!;
  return parts.flat().sort((a, b) => Number(b.id) - Number(a.id)).slice(0, n);
}

async function newestOf(ctx: RedisContext, source: Source, cursor: number | null, n: number): Promise<Job[]> {
  const out: Job[] = [];
  let below = cursor === null ? "+inf" : `(${cursor}`;
  const chunk = Math.max(n, 100);
  for (;;) {
    const ids = await ctx.redis.zrevrangebyscore(source.index, below, "-inf", "LIMIT", 0, chunk);
    if (!ids.length) return out;
    const pipeline = ctx.redis.pipeline();
    for (const id of ids) pipeline.hgetall(ctx.keys.job(id));
    const hashes = (await pipeline.exec()) ?? [];
    for (let i = 0; i < ids.length; i++) {
      const job = hashToJob(ids[i]!, (hashes[i]?.[1] ?? {}) as Record<string, string>);
      if (job && source.keep(job)) out.push(job);
      if (out.length === n) return out;
    }
    if (ids.length < chunk) return out;
    below = `(${ids[ids.length - 1]}`;
  }
}

/** Case-insensitive: the id exactly, or the text anywhere in the key or the payload's JSON. */
function matcher(q: string): (job: Job) => boolean {
  const needle = q.toLowerCase();
  return (job) => job.id === q || (job.key?.toLowerCase().includes(needle) ?? false) || JSON.stringify(job.payload).toLowerCase().includes(needle);
}
