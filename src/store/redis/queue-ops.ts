/** RedisQueues: queues, their settings and counts, and their bulk actions (QueueStore) on Redis. */
import { PRIORITY, type JobState } from "../../core/job.ts";
import { emptyCounts, mergeSettings, type QueueConfig, type QueueSettings, type StateCounts } from "../../core/queue-config.ts";
import type { QueueSummary } from "../../core/store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import { DEFAULT_SETTINGS_JSON } from "./job-ops.ts";
import queueBulk from "./lua/queue-bulk.lua" with { type: "text" };
import queuePause from "./lua/queue-pause.lua" with { type: "text" };
import queuePut from "./lua/queue-put.lua" with { type: "text" };

/** Bulk actions work through this many jobs per script, so none holds Redis for long. */
const BULK_BATCH = 1000;

export class RedisQueues {
  constructor(private readonly ctx: RedisContext) {
    ctx.scripts.add({ queueBulk, queuePause, queuePut });
  }

  async queueGet(p: { queue: string }): Promise<QueueSummary | null> {
    const { redis, keys } = this.ctx;
    const [settings, paused, counts] = await Promise.all([
      redis.hget(keys.queueConfigs(), p.queue),
      redis.hget(keys.queue(p.queue), "paused"),
      redis.hgetall(keys.counts(p.queue)),
    ]);
    if (settings === null) return null;
    return { ...configOf(p.queue, settings, paused === "1"), counts: countsOf(counts) };
  }

  async queuesList(): Promise<QueueSummary[]> {
    const { redis, keys } = this.ctx;
    const all = await redis.hgetall(keys.queueConfigs());
    const names = Object.keys(all).sort();
    const pipeline = redis.pipeline();
    for (const name of names) pipeline.hget(keys.queue(name), "paused").hgetall(keys.counts(name));
    const replies = await answersOf(pipeline);
    return names.map((name, i) => ({
      ...configOf(name, all[name]!, replies[2 * i] === "1"),
      counts: countsOf((replies[2 * i + 1] ?? {}) as Record<string, string>),
    }));
  }

  async queuePut(p: { queue: string; settings: Partial<QueueSettings>; now: number }): Promise<QueueConfig> {
    const { redis, keys } = this.ctx;
    let read = (await redis.hget(keys.queueConfigs(), p.queue)) ?? "";
    for (;;) {
      const current = JSON.parse(read || DEFAULT_SETTINGS_JSON) as QueueSettings;
      const next = JSON.stringify(mergeSettings(current, p.settings));
      const answer = await this.ctx.scripts.run<number | string>("queuePut", [p.queue, read, next, DEFAULT_SETTINGS_JSON, p.now]);
      if (answer === 1) break;
      read = answer as string;
    }
    const { counts: _counts, ...config } = (await this.queueGet(p))!;
    return config;
  }

  async queuePause(p: { queue: string; paused: boolean; now: number }): Promise<QueueConfig> {
    const settings = await this.ctx.scripts.run<string>("queuePause", [p.queue, p.paused ? "1" : "0", DEFAULT_SETTINGS_JSON, p.now]);
    return configOf(p.queue, settings, p.paused);
  }

  async queuePurge(p: { queue: string; state: JobState; limit?: number; now: number }) {
    return this.#inBatches(p.limit, (limit) => ["purge", p.queue, p.state, limit, p.now]);
  }

  async queueRetryFailed(p: { queue: string; errorType?: string; limit?: number; now: number }) {
    const errorType = p.errorType === undefined ? "" : `=${p.errorType}`;
    return this.#inBatches(p.limit, (limit) => ["retry-failed", p.queue, errorType, limit, p.now]);
  }

  async queueCancelWaiting(p: { queue: string; limit?: number; now: number }) {
    return this.#inBatches(p.limit, (limit) => ["cancel-waiting", p.queue, "", limit, p.now]);
  }

  async queueOldestWaiting(p: { queue: string }) {
    // The ready set is scored (10 - priority) × 2^40 + id: the first of each priority's band, then their runAt.
    const ready = this.ctx.keys.inQueue(p.queue, "ready");
    const firsts = this.ctx.redis.pipeline();
    for (let band = 0; band <= PRIORITY.URGENT - PRIORITY.LOW; band++) firsts.zrangebyscore(ready, band * 2 ** 40, `(${(band + 1) * 2 ** 40}`, "LIMIT", 0, 1);
    const ids = ((await answersOf(firsts)) as string[][]).flat();
    if (ids.length === 0) return null;
    const runAts = this.ctx.redis.pipeline();
    for (const id of ids) runAts.hget(this.ctx.keys.job(id), "runAt");
    const times = ((await answersOf(runAts)) as (string | null)[]).filter((t) => t !== null).map(Number);
    return times.length === 0 ? null : Math.min(...times);
  }

  async queueNextRunAt(p: { queue: string }) {
    const [, score] = await this.ctx.redis.zrange(this.ctx.keys.inQueue(p.queue, "delayed"), "0", "0", "WITHSCORES");
    return score === undefined ? null : Number(score);
  }

  /** With a limit, one batch of at most that many; without, batch after batch until none is left. */
  async #inBatches(limit: number | undefined, args: (limit: number) => (string | number)[]): Promise<number> {
    if (limit !== undefined) return this.ctx.scripts.run<number>("queueBulk", args(limit));
    let total = 0;
    for (;;) {
      const n = await this.ctx.scripts.run<number>("queueBulk", args(BULK_BATCH));
      total += n;
      if (n < BULK_BATCH) return total;
    }
  }
}

function configOf(name: string, settings: string, paused: boolean): QueueConfig {
  return { ...(JSON.parse(settings) as QueueSettings), name, paused };
}

function countsOf(hash: Record<string, string>): StateCounts {
  const counts = emptyCounts();
  for (const state of Object.keys(counts) as (keyof StateCounts)[]) counts[state] = Number(hash[state] ?? 0);
  return counts;
}
