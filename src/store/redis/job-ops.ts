/** RedisJobs: the job operations (JobStore) on Redis, each state change one script of lua/. */
import { randomUUID } from "node:crypto";
import type { Job, JobError, JobState, NewJob } from "../../core/job.ts";
import { defaultQueueConfig } from "../../core/queue-config.ts";
import type {
  ClaimParams, CompleteItem, CompletedJob, EnqueueOutcome, FailParams, HeartbeatParams, JobListParams, JobPage,
} from "../../core/store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import { hashToJob, insertedJob, isJobId, jsonOf, newJobArgs, opt, toJob, type FlatJob } from "./job-hash.ts";
import { listJobs } from "./job-list.ts";
import cancel from "./lua/cancel.lua" with { type: "text" };
import claim from "./lua/claim.lua" with { type: "text" };
import completeClaim from "./lua/complete-claim.lua" with { type: "text" };
import complete from "./lua/complete.lua" with { type: "text" };
import del from "./lua/delete.lua" with { type: "text" };
import enqueue from "./lua/enqueue.lua" with { type: "text" };
import fail from "./lua/fail.lua" with { type: "text" };
import heartbeat from "./lua/heartbeat.lua" with { type: "text" };
import laneSkip from "./lua/lane-skip.lua" with { type: "text" };
import promote from "./lua/promote.lua" with { type: "text" };
import retry from "./lua/retry.lua" with { type: "text" };

/** A new queue's settings, as enqueue.lua stores them on first use. */
const { name: _name, paused: _paused, ...defaultSettings } = defaultQueueConfig("");
export const DEFAULT_SETTINGS_JSON = JSON.stringify(defaultSettings);

const jobOrNull = (flat: FlatJob | null) => (flat ? toJob(flat) : null);

const claimArgs = (p: ClaimParams) => [p.queue, p.workerId, p.max, p.leaseMs, p.token, p.now];
const completeArgs = (item: CompleteItem) => [item.id, item.token, opt(jsonOf(item.result))];

/** enqueue.lua's answer per job: a new one's id and state, or the whole hash of one that existed (created on a re-send). */
type EnqueueAnswer = [1, string, string] | [0, FlatJob, (1 | 0)?];

/** complete.lua's brief answer: per item {id, queue, key or false, state}, or null where the lease was lost. */
type BriefAnswer = ([string, string, string | false, string] | null)[];

/** The hashes a claim answers (lua/lib/work.lua, leased_flats): null for a job deleted since. */
type LeasedAnswer = (FlatJob | null)[];

/**
 * The jobs of a claim's answer still leased with `token`: a re-sent claim answers the jobs its
 * first run leased as they are now, and one may have been taken from the lease in between
 * (force-cancelled, reaped, deleted).
 */
function leased(flats: LeasedAnswer, token: string): Job[] {
  return flats.flatMap((flat) => {
    const job = flat ? toJob(flat) : null;
    return job && job.state === "active" && job.leaseToken === token ? [job] : [];
  });
}

/** One outcome per item of `all`, from the brief answer for `sent` (the items with a job id). */
function briefOutcomes(all: CompleteItem[], sent: CompleteItem[], answer: BriefAnswer): (CompletedJob | null)[] {
  const byItem = new Map(sent.map((item, i) => [item, answer[i] ?? null]));
  return all.map((item) => {
    const row = byItem.get(item);
    return row ? { id: row[0], queue: row[1], key: row[2] || null, state: row[3] as CompletedJob["state"] } : null;
  });
}

export class RedisJobs {
  constructor(private readonly ctx: RedisContext) {
    ctx.scripts.add({ cancel, claim, complete, completeClaim, delete: del, enqueue, fail, heartbeat, laneSkip, promote, retry });
  }

  async jobsEnqueue(p: { jobs: NewJob[]; now: number }): Promise<EnqueueOutcome[]> {
    const payloads = p.jobs.map((job) => jsonOf(job.payload));
    const args = [randomUUID(), p.now, DEFAULT_SETTINGS_JSON, ...p.jobs.flatMap((job, i) => newJobArgs(job, payloads[i]))];
    const answer = await this.ctx.scripts.run<EnqueueAnswer[]>("enqueue", args);
    return answer.map((entry, i) =>
      entry[0] === 1
        ? { job: insertedJob(p.jobs[i]!, entry[1], entry[2] as JobState, payloads[i]!, p.now), created: true }
        : { job: toJob(entry[1]), created: entry[2] === 1 },
    );
  }

  async jobGet(p: { id: string }) {
    if (!isJobId(p.id)) return null;
    return hashToJob(p.id, await this.ctx.redis.hgetall(this.ctx.keys.job(p.id)));
  }

  async jobsList(p: JobListParams): Promise<JobPage> {
    return listJobs(this.ctx, p);
  }

  async jobsClaim(p: ClaimParams) {
    return leased(await this.ctx.scripts.run<LeasedAnswer>("claim", claimArgs(p)), p.token);
  }

  /** jobsComplete, then jobsClaim, in one script: a worker's report and its next claim in one call. */
  async jobsCompleteAndClaim(p: { items: CompleteItem[]; claim: ClaimParams }) {
    const items = p.items.filter((item) => isJobId(item.id));
    const [done, flats] = await this.ctx.scripts.run<[BriefAnswer, LeasedAnswer]>("completeClaim", [...claimArgs(p.claim), ...items.flatMap(completeArgs)]);
    return { completed: briefOutcomes(p.items, items, done), jobs: leased(flats, p.claim.token) };
  }

  async jobComplete(p: CompleteItem & { now: number }) {
    if (!isJobId(p.id)) return null;
    const [flat] = await this.ctx.scripts.run<(FlatJob | null)[]>("complete", [p.now, "whole", ...completeArgs(p)]);
    return jobOrNull(flat ?? null);
  }

  async jobsComplete(p: { items: CompleteItem[]; now: number }): Promise<(CompletedJob | null)[]> {
    const items = p.items.filter((item) => isJobId(item.id));
    const answer = items.length ? await this.ctx.scripts.run<BriefAnswer>("complete", [p.now, "brief", ...items.flatMap(completeArgs)]) : [];
    return briefOutcomes(p.items, items, answer);
  }

  async jobFail(p: FailParams) {
    return this.#endAttempt(p, "live");
  }

  async leaseRecover(p: FailParams) {
    return this.#endAttempt(p, "expired");
  }

  async #endAttempt(p: FailParams, lease: "live" | "expired") {
    if (!isJobId(p.id)) return null;
    const error: JobError = p.error;
    const args = [p.id, p.token, JSON.stringify(error), error.type, error.at, opt(p.retryAt), p.now, lease];
    return jobOrNull(await this.ctx.scripts.run<FlatJob | null>("fail", args));
  }

  async jobHeartbeat(p: HeartbeatParams) {
    if (!isJobId(p.id)) return null;
    const progress = p.progress === undefined ? "" : opt(JSON.stringify(p.progress));
    const checkpoint = p.checkpoint === undefined ? "" : opt(jsonOf(p.checkpoint));
    return jobOrNull(await this.ctx.scripts.run<FlatJob | null>("heartbeat", [p.id, p.token, p.leaseMs, progress, checkpoint, p.now]));
  }

  async jobCancel(p: { id: string; force: boolean; now: number }) {
    if (!isJobId(p.id)) return null;
    return jobOrNull(await this.ctx.scripts.run<FlatJob | null>("cancel", [p.id, p.force ? "1" : "0", p.now]));
  }

  async jobRetry(p: { id: string; resetCheckpoint: boolean; now: number }) {
    if (!isJobId(p.id)) return null;
    return jobOrNull(await this.ctx.scripts.run<FlatJob | null>("retry", [p.id, p.resetCheckpoint ? "1" : "0", p.now]));
  }

  async jobDelete(p: { id: string; now: number }) {
    if (!isJobId(p.id)) return false;
    return (await this.ctx.scripts.run<number>("delete", [p.id, p.now])) === 1;
  }

  async jobsPromoteDue(p: { now: number; limit: number }) {
    const answer = await this.ctx.scripts.run<[string, number][]>("promote", [p.now, p.limit]);
    return answer.map(([queue, promoted]) => ({ queue, promoted }));
  }

  /** Active jobs whose lease ran out, soonest expired first: each queue's lease set read up to `limit`, then merged. */
  async leasesExpired(p: { now: number; limit: number }) {
    const { redis, keys } = this.ctx;
    if (p.limit < 1) return [];
    const queues = await redis.hkeys(keys.queueConfigs());
    const reads = redis.pipeline();
    for (const queue of queues) reads.zrangebyscore(keys.inQueue(queue, "leases"), "-inf", p.now, "WITHSCORES", "LIMIT", 0, p.limit);
    const expired: { id: string; at: number }[] = [];
    for (const list of (await answersOf(reads)) as string[][]) {
      for (let i = 0; i < list.length; i += 2) expired.push({ id: list[i]!, at: Number(list[i + 1]) });
    }
    const ids = expired.sort((a, b) => a.at - b.at || Number(a.id) - Number(b.id)).slice(0, p.limit).map((e) => e.id);
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(keys.job(id));
    const hashes = (await answersOf(pipeline)) as Record<string, string>[];
    return ids.flatMap((id, i) => {
      const job = hashToJob(id, hashes[i] ?? {});
      return job ? [job] : [];
    });
  }

  async laneSkip(p: { queue: string; key: string; now: number }) {
    return (await this.ctx.scripts.run<number>("laneSkip", [p.queue, p.key, p.now])) === 1;
  }
}
