/** Counts and the lanes view on Redis, read from the counts hashes and the lane keys (no job scan). */
import type { JobError, JobState } from "../../core/job.ts";
import type { BlockedLanes, LaneView } from "../../core/monitor-store.ts";
import { emptyCounts, type StateCounts } from "../../core/queue-config.ts";
import { answersOf, type RedisContext } from "./context.ts";
import { monitorKeys } from "./monitor-keys.ts";

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function countsTotal(ctx: RedisContext): Promise<{ total: StateCounts; queues: Record<string, StateCounts> }> {
  const k = monitorKeys(ctx.keys);
  const names = (await ctx.redis.hkeys(k.queues)).sort(byText);
  const pipe = ctx.redis.pipeline();
  for (const name of names) pipe.hgetall(k.counts(name));
  const hashes = (await answersOf(pipe)) as Record<string, string>[];
  const total = emptyCounts();
  const queues: Record<string, StateCounts> = {};
  names.forEach((name, i) => {
    const counts = (queues[name] = emptyCounts());
    for (const [state, n] of Object.entries(hashes[i]!)) {
      if (!(state in counts)) continue;
      counts[state as keyof StateCounts] = Number(n);
      total[state as keyof StateCounts] += Number(n);
    }
  });
  return { total, queues };
}

/** Keys of the lanes to show: blocked first, then busy, each oldest first (then by key), at most `limit`. */
async function laneKeys(ctx: RedisContext, queue: string, limit: number): Promise<string[]> {
  const k = monitorKeys(ctx.keys);
  const blocked = await ctx.redis.zrange(k.inQueue(queue, "blocked"), 0, String(limit - 1));
  if (blocked.length === limit) return blocked;
  // Blocked lanes are in the lanes index too: reading as many more as there are blocked ones leaves enough busy ones.
  const all = await ctx.redis.zrange(k.inQueue(queue, "lanes"), 0, String(limit + blocked.length - 1));
  const isBlocked = new Set(blocked);
  return [...blocked, ...all.filter((key) => !isBlocked.has(key)).slice(0, limit - blocked.length)];
}

export async function lanesList(ctx: RedisContext, p: { queue: string; key?: string; limit: number }): Promise<LaneView[]> {
  const limit = Math.max(0, Math.floor(p.limit));
  if (limit === 0) return [];
  const k = monitorKeys(ctx.keys);
  const keys = p.key === undefined ? await laneKeys(ctx, p.queue, limit) : [p.key];
  const lanesPipe = ctx.redis.pipeline();
  for (const key of keys) {
    lanesPipe.hgetall(k.lane(p.queue, key));
    lanesPipe.zcard(k.laneWait(p.queue, key));
  }
  const laneAnswers = await answersOf(lanesPipe);
  const lanes = keys
    .map((key, i) => ({ key, lane: laneAnswers[2 * i] as Record<string, string>, depth: laneAnswers[2 * i + 1] as number }))
    .filter(({ lane }) => lane.head !== undefined);
  const headsPipe = ctx.redis.pipeline();
  for (const { lane } of lanes) headsPipe.hmget(k.job(lane.head!), "state", "errors");
  const heads = (await answersOf(headsPipe)) as [string | null, string | null][];
  return lanes.map(({ key, lane, depth }, i) => {
    const [state, errors] = heads[i]!;
    const last = errors === null ? undefined : (JSON.parse(errors) as JobError[]).at(-1);
    return {
      queue: p.queue,
      key,
      status: lane.blocked === "1" ? "blocked" : "busy",
      headJobId: lane.head!,
      headState: state as JobState | null,
      lastError: last ? { type: last.type, message: last.message, at: last.at } : null,
      since: Number(lane.since),
      depth,
    };
  });
}

/** Blocked lanes per queue (only queues that have some), by queue name, with the oldest one's `since`. */
export async function lanesBlocked(ctx: RedisContext): Promise<BlockedLanes[]> {
  const k = monitorKeys(ctx.keys);
  const names = (await ctx.redis.hkeys(k.queues)).sort(byText);
  const pipe = ctx.redis.pipeline();
  for (const name of names) {
    pipe.zcard(k.inQueue(name, "blocked"));
    pipe.zrange(k.inQueue(name, "blocked"), 0, "0", "WITHSCORES");
  }
  const answers = await answersOf(pipe);
  return names.flatMap((queue, i) => {
    const blocked = answers[2 * i] as number;
    const oldest = answers[2 * i + 1] as string[];
    return blocked > 0 ? [{ queue, blocked, oldestSince: oldest.length ? Number(oldest[1]) : null }] : [];
  });
}
