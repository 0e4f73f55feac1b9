/**
 * RedisWorkers: the worker registry and push-target secrets (WorkerStore) on Redis. Keys
 * (keys.ts): `workers` holds each worker's record, `worker:<id>` its figures (active, processed,
 * failed), which the job scripts move as its jobs start and end; `secrets` the targets' secrets.
 * Changes are scripts of lua/; listings are plain reads.
 */
import type { TargetSecret, WorkerRecord, WorkerSeenParams, WorkerStore } from "../../core/worker-store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import { opt } from "./job-hash.ts";
import recordJson from "./lua/record-json.lua" with { type: "text" };
import secretEnsure from "./lua/secret-ensure.lua" with { type: "text" };
import secretRotate from "./lua/secret-rotate.lua" with { type: "text" };
import workerSeen from "./lua/worker-seen.lua" with { type: "text" };
import workerShutdown from "./lua/worker-shutdown.lua" with { type: "text" };
import workersPrune from "./lua/workers-prune.lua" with { type: "text" };

/** A worker's record as stored in `workers`: WorkerRecord without its figures. */
type StoredWorker = Omit<WorkerRecord, "active" | "processed" | "failed">;

/** `worker:<id>` fields as HMGET answers them; a figure no job has moved yet is null. */
type Figures = [active: string | null, processed: string | null, failed: string | null];

const FIGURES = ["active", "processed", "failed"] as const;

function toWorker(raw: string, [active, processed, failed]: Figures): WorkerRecord {
  const w = JSON.parse(raw) as StoredWorker;
  return {
    id: w.id, kind: w.kind, name: w.name, host: w.host, queues: w.queues, concurrency: w.concurrency,
    active: Number(active ?? 0), processed: Number(processed ?? 0), failed: Number(failed ?? 0),
    firstSeenAt: w.firstSeenAt, lastSeenAt: w.lastSeenAt, shutdownRequestedAt: w.shutdownRequestedAt,
  };
}

/** Text as Redis's cjson can read it back: a lone surrogate would be written as an escape it refuses. */
const readable = (text: string | undefined) => text?.toWellFormed();

/** By id in byte order, as SQLite orders TEXT. */
function byId(a: { id: string }, b: { id: string }): number {
  return Buffer.compare(Buffer.from(a.id), Buffer.from(b.id));
}

export class RedisWorkers implements WorkerStore {
  private readonly workers: string;

  constructor(private readonly ctx: RedisContext) {
    const withRecordJson = (lua: string) => `${recordJson}\n${lua}`;
    ctx.scripts.add({
      workerSeen: withRecordJson(workerSeen),
      workerShutdown: withRecordJson(workerShutdown),
      workersPrune,
      secretEnsure,
      secretRotate: withRecordJson(secretRotate),
    });
    this.workers = ctx.keys.k("workers");
  }

  async workerSeen(p: WorkerSeenParams) {
    const queues = p.queues && JSON.stringify(p.queues.map((q) => q.toWellFormed()));
    const args = [
      p.id, opt(p.kind), opt(readable(p.name)), opt(readable(p.host)), opt(queues), opt(p.concurrency),
      p.now, p.forgetShutdownAfterMs,
    ];
    return { shutdownRequested: (await this.ctx.scripts.run<number>("workerSeen", args)) === 1 };
  }

  async workersList(_p: { now: number }) {
    const records = await this.ctx.redis.hgetall(this.workers);
    const ids = Object.keys(records);
    const batch = this.ctx.redis.pipeline();
    for (const id of ids) batch.hmget(this.ctx.keys.k("worker", id), ...FIGURES);
    const figures = ids.length ? ((await answersOf(batch)) as Figures[]) : [];
    return ids
      .map((id, i) => toWorker(records[id]!, figures[i]!))
      .sort(byId);
  }

  async workerGet(p: { id: string; now: number }) {
    const [raw, figures] = await Promise.all([
      this.ctx.redis.hget(this.workers, p.id),
      this.ctx.redis.hmget(this.ctx.keys.k("worker", p.id), ...FIGURES),
    ]);
    return raw === null ? null : toWorker(raw, figures as Figures);
  }

  async workerRequestShutdown(p: { id: string; now: number }) {
    const answer = await this.ctx.scripts.run<[string, ...Figures] | null>("workerShutdown", [p.id, p.now]);
    return answer === null ? null : toWorker(answer[0], [answer[1], answer[2], answer[3]]);
  }

  async workersPrune(p: { seenBefore: number; now: number }) {
    return this.ctx.scripts.run<number>("workersPrune", [p.seenBefore]);
  }

  async targetSecretEnsure(p: { queue: string; secret: string; now: number }) {
    const fresh: TargetSecret = { queue: p.queue, secret: p.secret, previousSecret: null, rotatedAt: null, createdAt: p.now };
    return JSON.parse(await this.ctx.scripts.run<string>("secretEnsure", [p.queue, JSON.stringify(fresh)])) as TargetSecret;
  }

  async targetSecretRotate(p: { queue: string; secret: string; now: number }) {
    return JSON.parse(await this.ctx.scripts.run<string>("secretRotate", [p.queue, p.secret, p.now])) as TargetSecret;
  }
}
