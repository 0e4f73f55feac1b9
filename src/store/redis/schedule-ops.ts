/** RedisSchedules: schedules, their fires and history, and retention's pruning (ScheduleStore) on Redis. */
import type { JobState } from "../../core/job.ts";
import type {
  JobsPruneOutcome, JobsPruneParams, NewSchedule, Schedule, ScheduleDefinition, ScheduleFireOutcome,
  ScheduleFireParams, ScheduleRun, ScheduleRunInput, ScheduleRunJob, ScheduleRunKind, ScheduleStore,
} from "../../core/schedule-store.ts";
import { answersOf, type RedisContext } from "./context.ts";
import { newJobArgs, opt, toJob, type FlatJob } from "./job-hash.ts";
import { DEFAULT_SETTINGS_JSON } from "./job-ops.ts";
import jobsPrune from "./lua/jobs-prune.lua" with { type: "text" };
import scheduleCreate from "./lua/schedule-create.lua" with { type: "text" };
import scheduleDelete from "./lua/schedule-delete.lua" with { type: "text" };
import scheduleFire from "./lua/schedule-fire.lua" with { type: "text" };
import scheduleLib from "./lua/schedule-lib.lua" with { type: "text" };
import schedulePut from "./lua/schedule-put.lua" with { type: "text" };
import scheduleRecord from "./lua/schedule-record.lua" with { type: "text" };
import scheduleRuns from "./lua/schedule-runs.lua" with { type: "text" };

/** A run's job outcome as the scripts keep it: numbers as strings, absent fields null. */
type StoredOutcome = { state: string; finishedAt?: string; error?: string };

/** A run as schedule-fire.lua writes it (keys.ts). */
type StoredRun = {
  id: string;
  kind: string;
  fireTime: string;
  lastFireTime: string;
  count: string;
  manual: boolean;
  catchUp: boolean;
  jobId?: string;
  at: string;
  job?: StoredOutcome;
};

const num = (text: string | undefined): number | null => (text === undefined ? null : Number(text));

function hashOf(flat: string[]): Record<string, string> {
  const h: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  return h;
}

function toSchedule(name: string, h: Record<string, string>): Schedule {
  const def = JSON.parse(h.def!) as Omit<ScheduleDefinition, "name" | "enabled">;
  return {
    name,
    cron: def.cron,
    every: def.every,
    timezone: def.timezone,
    queue: def.queue,
    payload: def.payload,
    jobOptions: def.jobOptions,
    enabled: h.enabled === "1",
    overlap: def.overlap,
    catchUp: def.catchUp,
    builtin: h.builtin === "1",
    nextFireAt: num(h.nextFireAt),
    lastFireAt: num(h.lastFireAt),
    lastJobId: h.lastJobId ?? null,
    lastResult: h.lastResult === undefined ? null : JSON.parse(h.lastResult),
    lastResultAt: num(h.lastResultAt),
    revision: Number(h.revision),
    createdAt: Number(h.createdAt),
    updatedAt: Number(h.updatedAt),
  };
}

function toRunJob(o: StoredOutcome, deleted: boolean): ScheduleRunJob {
  return { state: o.state as JobState, finishedAt: num(o.finishedAt), error: o.error ?? null, deleted };
}

function toRun(schedule: string, text: string, live: string | null): ScheduleRun {
  const r = JSON.parse(text) as StoredRun;
  return {
    id: r.id,
    schedule,
    kind: r.kind as ScheduleRunKind,
    fireTime: Number(r.fireTime),
    lastFireTime: Number(r.lastFireTime),
    count: Number(r.count),
    manual: r.manual,
    catchUp: r.catchUp,
    jobId: r.jobId ?? null,
    job: live !== null ? toRunJob(JSON.parse(live), false) : r.job ? toRunJob(r.job, true) : null,
    at: Number(r.at),
  };
}

/** The definition as the schedule hash keeps it: JSON without the name and `enabled` (a field of its own). */
function definitionJson(s: ScheduleDefinition): string {
  const { cron, every, timezone, queue, payload, jobOptions, overlap, catchUp } = s;
  return JSON.stringify({ cron, every, timezone, queue, payload: payload ?? null, jobOptions: jobOptions ?? {}, overlap, catchUp });
}

/** The seven script arguments of a run (schedule-fire.lua). */
function runArgs(run: ScheduleRunInput): string[] {
  return [
    run.kind, String(run.fireTime), String(run.lastFireTime ?? run.fireTime), String(run.count ?? 1),
    run.manual ? "1" : "0", run.catchUp ? "1" : "0", opt(run.jobId),
  ];
}

const flag = (b: boolean) => (b ? "1" : "0");

export class RedisSchedules implements ScheduleStore {
  constructor(private readonly ctx: RedisContext) {
    const withLib = (lua: string) => `${scheduleLib}\n${lua}`;
    ctx.scripts.add({
      jobsPrune: withLib(jobsPrune),
      scheduleCreate: withLib(scheduleCreate),
      scheduleDelete: withLib(scheduleDelete),
      scheduleFire: withLib(scheduleFire),
      schedulePut: withLib(schedulePut),
      scheduleRecord: withLib(scheduleRecord),
      scheduleRuns: withLib(scheduleRuns),
    });
  }

  async scheduleGet(p: { name: string }): Promise<Schedule | null> {
    const h = await this.ctx.redis.hgetall(this.ctx.keys.k("schedule", p.name));
    return h.def === undefined ? null : toSchedule(p.name, h);
  }

  async schedulesList(): Promise<Schedule[]> {
    return readSchedules(this.ctx, await this.ctx.redis.zrange(this.ctx.keys.k("schedules"), "0", "-1"));
  }

  async schedulesDue(p: { now: number; limit: number }): Promise<Schedule[]> {
    if (p.limit < 1) return [];
    const names = await this.ctx.redis.zrangebyscore(this.ctx.keys.k("schedules", "due"), "-inf", p.now, "LIMIT", 0, p.limit);
    // An edit may land between the two reads: keep only what is still due.
    return (await readSchedules(this.ctx, names)).filter((s) => s.enabled && s.nextFireAt !== null && s.nextFireAt <= p.now);
  }

  async scheduleCreate(p: { schedule: NewSchedule; now: number }): Promise<Schedule | null> {
    const s = p.schedule;
    const args = [s.name, definitionJson(s), flag(s.enabled), flag(s.builtin), opt(s.nextFireAt), p.now];
    const flat = await this.ctx.scripts.run<string[] | null>("scheduleCreate", args);
    return flat ? toSchedule(s.name, hashOf(flat)) : null;
  }

  async schedulePut(p: { schedule: ScheduleDefinition; nextFireAt: number | null; expectedRevision: number; now: number }): Promise<Schedule | null> {
    const s = p.schedule;
    const args = [s.name, definitionJson(s), flag(s.enabled), opt(p.nextFireAt), p.expectedRevision, p.now];
    const flat = await this.ctx.scripts.run<string[] | null>("schedulePut", args);
    return flat ? toSchedule(s.name, hashOf(flat)) : null;
  }

  async scheduleDelete(p: { name: string; now: number }): Promise<boolean> {
    return (await this.ctx.scripts.run<number>("scheduleDelete", [p.name])) === 1;
  }

  async scheduleFire(p: ScheduleFireParams): Promise<ScheduleFireOutcome | null> {
    const args = [
      p.name, p.expectedRevision, opt(p.expectedNextFireAt), opt(p.nextFireAt), p.historyKeep, p.now, DEFAULT_SETTINGS_JSON,
      ...(p.job ? ["1", ...newJobArgs(p.job)] : ["0"]),
      ...p.runs.flatMap(runArgs),
    ];
    const answer = await this.ctx.scripts.run<[string[], [number, FlatJob] | null] | null>("scheduleFire", args);
    if (!answer) return null;
    const [flat, job] = answer;
    return { schedule: toSchedule(p.name, hashOf(flat)), job: job ? { job: toJob(job[1]), created: job[0] === 1 } : null };
  }

  async scheduleRunsList(p: { name: string; limit: number }): Promise<ScheduleRun[]> {
    if (p.limit < 1) return [];
    const answer = await this.ctx.scripts.run<[string, string | null][]>("scheduleRuns", [p.name, p.limit]);
    return answer.map(([text, live]) => toRun(p.name, text, live));
  }

  async scheduleRecord(p: { name: string; result: unknown; now: number }): Promise<boolean> {
    return (await this.ctx.scripts.run<number>("scheduleRecord", [p.name, JSON.stringify(p.result ?? null), p.now])) === 1;
  }

  async jobsPrune(p: JobsPruneParams): Promise<JobsPruneOutcome> {
    const [deleted, bytes, lastRead] = await this.ctx.scripts.run<[number, number, string]>(
      "jobsPrune", [p.queue, p.state, p.finishedBefore, p.limit, p.now, p.resumeAfter ?? ""],
    );
    return { deleted, bytes, resumeAfter: lastRead === "" ? null : lastRead };
  }

}

/** The schedules of `names`, in that order; one deleted in between is left out. */
async function readSchedules(ctx: RedisContext, names: string[]): Promise<Schedule[]> {
  const pipeline = ctx.redis.pipeline();
  for (const name of names) pipeline.hgetall(ctx.keys.k("schedule", name));
  const replies = (await answersOf(pipeline)) as Record<string, string>[];
  return names.flatMap((name, i) => {
    const h = replies[i] ?? {};
    return h.def === undefined ? [] : [toSchedule(name, h)];
  });
}
