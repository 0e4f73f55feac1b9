/** Store contract: schedules — the fire compare-and-set, guarded edits, run history with outcomes, pruning finished jobs. */
import { expect } from "bun:test";
import type { NewSchedule, Schedule, ScheduleFireParams } from "../../src/core/schedule-store.ts";
import { resolveEnqueue } from "../../src/core/enqueue.ts";
import { fireJob, fireKey } from "../../src/scheduler/fire-plan.ts";
import type { ContractCase, Ctx } from "./harness.ts";

const SECOND = 1000;

function def(name: string, changes: Partial<NewSchedule> = {}): NewSchedule {
  return {
    name, cron: null, every: "1s", timezone: "UTC", queue: "q", payload: { n: 1 }, jobOptions: {},
    enabled: true, overlap: "allow", catchUp: "one", builtin: false, nextFireAt: Date.parse("2026-01-01T00:00:01Z"), ...changes,
  };
}

async function create(t: Ctx, name: string, changes: Partial<NewSchedule> = {}): Promise<Schedule> {
  const s = await t.store.scheduleCreate({ schedule: def(name, changes), now: t.now() });
  expect(s).not.toBeNull();
  return s!;
}

/** Fires `s` at its nextFireAt, advancing it by a second; the guard is what `s` says. */
function fire(t: Ctx, s: Schedule, extra: Partial<ScheduleFireParams> = {}): ReturnType<Ctx["store"]["scheduleFire"]> {
  const at = s.nextFireAt!;
  return t.store.scheduleFire({
    name: s.name, expectedRevision: s.revision, expectedNextFireAt: s.nextFireAt, nextFireAt: at + SECOND,
    job: fireJob(s, at, {}, t.now()), runs: [{ kind: "fired", fireTime: at }], historyKeep: 100, now: t.now(), ...extra,
  });
}

export function schedulesContract(it: ContractCase): void {
  it("a schedule is created once; its name cannot be taken twice", async (t) => {
    const s = await create(t, "a");
    expect(s).toMatchObject({ name: "a", every: "1s", payload: { n: 1 }, enabled: true, lastJobId: null, lastResult: null, createdAt: t.now() });
    expect(await t.store.scheduleCreate({ schedule: def("a", { every: "5s" }), now: t.now() })).toBeNull();
    await create(t, "b");
    expect((await t.store.schedulesList()).map((x) => x.name)).toEqual(["a", "b"]);
    expect(await t.store.scheduleGet({ name: "a" })).toEqual(s);
    expect(await t.store.scheduleGet({ name: "none" })).toBeNull();
  });

  it("schedulesDue lists enabled schedules that are due, earliest first", async (t) => {
    const at = (s: string) => Date.parse(`2026-01-01T00:00:${s}Z`);
    await create(t, "late", { nextFireAt: at("05") });
    await create(t, "early", { nextFireAt: at("02") });
    await create(t, "future", { nextFireAt: at("30") });
    await create(t, "paused", { nextFireAt: null, enabled: false });
    expect((await t.store.schedulesDue({ now: at("10"), limit: 10 })).map((s) => s.name)).toEqual(["early", "late"]);
    expect((await t.store.schedulesDue({ now: at("10"), limit: 1 })).map((s) => s.name)).toEqual(["early"]);
  });

  it("a fire enqueues its job and advances the schedule; a second fire on the same read is refused and enqueues nothing", async (t) => {
    const s = await create(t, "a");
    const first = await fire(t, s);
    expect(first!.job).toMatchObject({ created: true, job: { queue: "q", payload: { n: 1 }, idempotencyKey: "schedule:a:2026-01-01T00:00:01.000Z" } });
    expect(first!.schedule).toMatchObject({ nextFireAt: s.nextFireAt! + SECOND, lastFireAt: s.nextFireAt, lastJobId: first!.job!.job.id });
    expect(first!.schedule.revision).toBeGreaterThan(s.revision);
    expect(await fire(t, s)).toBeNull();
    expect(await fire(t, { ...first!.schedule, nextFireAt: s.nextFireAt })).toBeNull();
    expect((await t.svc.listJobs({ queue: "q" })).jobs).toHaveLength(1);
    expect(await t.store.scheduleRunsList({ name: "a", limit: 10 })).toHaveLength(1);
  });

  it("concurrent fires of one read: exactly one wins", async (t) => {
    const s = await create(t, "a");
    const outcomes = await Promise.all([fire(t, s), fire(t, s), fire(t, s)]);
    expect(outcomes.filter((o) => o !== null)).toHaveLength(1);
    expect((await t.svc.listJobs({ queue: "q" })).jobs).toHaveLength(1);
  });

  it("an edit is guarded by the revision and bumps it", async (t) => {
    const s = await create(t, "a");
    const edited = await t.store.schedulePut({ schedule: { ...s, queue: "other" }, nextFireAt: 123, expectedRevision: s.revision, now: t.now() });
    expect(edited).toMatchObject({ queue: "other", nextFireAt: 123 });
    expect(await t.store.schedulePut({ schedule: { ...s, queue: "third" }, nextFireAt: 1, expectedRevision: s.revision, now: t.now() })).toBeNull();
    expect(await fire(t, s)).toBeNull();
    expect((await t.store.scheduleGet({ name: "a" }))!.queue).toBe("other");
  });

  it("history: skips behind the same job merge into one entry, and only the newest entries are kept", async (t) => {
    let s = await create(t, "a");
    s = (await fire(t, s))!.schedule;
    for (let i = 0; i < 3; i++) {
      const at = s.nextFireAt!;
      s = (await fire(t, s, { job: null, runs: [{ kind: "skipped", fireTime: at, jobId: s.lastJobId }] }))!.schedule;
    }
    const runs = await t.store.scheduleRunsList({ name: "a", limit: 10 });
    expect(runs.map((r) => [r.kind, r.count])).toEqual([["skipped", 3], ["fired", 1]]);
    expect(runs[0]!.lastFireTime - runs[0]!.fireTime).toBe(2 * SECOND);
    for (let i = 0; i < 4; i++) s = (await fire(t, s, { historyKeep: 3 }))!.schedule;
    expect((await t.store.scheduleRunsList({ name: "a", limit: 10 })).map((r) => r.kind)).toEqual(["fired", "fired", "fired"]);
  });

  it("a run shows its job's outcome, kept after the job is deleted", async (t) => {
    const s = await create(t, "a");
    const { job } = (await fire(t, s))!.job!;
    const [leased] = await t.claim("q");
    await t.complete(leased!, { ok: 1 });
    expect((await t.store.scheduleRunsList({ name: "a", limit: 1 }))[0]!.job).toEqual({ state: "completed", finishedAt: t.now(), error: null, deleted: false });
    await t.svc.deleteJob(job.id);
    expect((await t.store.scheduleRunsList({ name: "a", limit: 1 }))[0]).toMatchObject({ jobId: job.id, job: { state: "completed", deleted: true } });
  });

  it("a task's latest result is recorded on its schedule; deleting a schedule drops its history", async (t) => {
    const s = await create(t, "a");
    await fire(t, s);
    expect(await t.store.scheduleRecord({ name: "a", result: { usedPercent: 42 }, now: t.now() })).toBe(true);
    expect(await t.store.scheduleRecord({ name: "none", result: 1, now: t.now() })).toBe(false);
    expect(await t.store.scheduleGet({ name: "a" })).toMatchObject({ lastResult: { usedPercent: 42 }, lastResultAt: t.now() });
    expect(await t.store.scheduleDelete({ name: "a", now: t.now() })).toBe(true);
    expect(await t.store.scheduleDelete({ name: "a", now: t.now() })).toBe(false);
    await create(t, "a");
    expect(await t.store.scheduleRunsList({ name: "a", limit: 10 })).toEqual([]);
  });

  it("jobsPrune deletes finished jobs older than the cutoff, oldest first, at most `limit`, sparing a failed lane head", async (t) => {
    await t.configure("q", { laneOnFailure: "block" });
    const finished: string[] = [];
    for (let i = 0; i < 5; i++) {
      await t.enqueue("q", { payload: { i } });
      finished.push((await t.complete(await t.claimOne("q"))).id);
      t.clock.advance(SECOND);
    }
    const head = await t.enqueue("q", { key: "k", maxAttempts: 1 });
    await t.failWith(await t.claimOne("q"));
    await t.enqueue("q", { key: "k" });
    const cutoff = t.now() + 1;
    const first = await t.store.jobsPrune({ queue: "q", state: "completed", finishedBefore: cutoff - 2 * SECOND, limit: 2, now: t.now() });
    expect(first.deleted).toBe(2);
    expect(first.bytes).toBeGreaterThan(0);
    const left = (await t.svc.listJobs({ queue: "q", state: "completed" })).jobs.map((j) => j.id).sort();
    expect(left).toEqual(finished.slice(2).sort());
    expect((await t.store.jobsPrune({ queue: "q", state: "completed", finishedBefore: cutoff - 2 * SECOND, limit: 10, now: t.now() })).deleted).toBe(2);
    expect((await t.store.jobsPrune({ queue: "q", state: "failed", finishedBefore: cutoff, limit: 10, now: t.now() })).deleted).toBe(0);
    expect(await t.state(head.id)).toBe("failed");
    expect((await t.store.jobsPrune({ queue: "other", state: "completed", finishedBefore: cutoff, limit: 10, now: t.now() })).deleted).toBe(0);
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ completed: 1, failed: 1, blocked: 1 });
  });

  it("jobsPrune's batches of one pass go on after what the batch before read: kept jobs early in the queue are read once, and nothing is skipped", async (t) => {
    // Two jobs enqueued first but finished last (a low-priority backlog) are kept; the six after them finished early.
    const late = [await t.enqueue("q", { priority: 0 }), await t.enqueue("q", { priority: 0 })];
    const early = [];
    for (let i = 0; i < 6; i++) early.push(await t.enqueue("q", { priority: 10 }));
    for (const _ of early) await t.complete(await t.claimOne("q"));
    t.clock.advance(10 * SECOND);
    const cutoff = t.now();
    for (const _ of late) await t.complete(await t.claimOne("q"));
    const pass = { queue: "q", state: "completed" as const, finishedBefore: cutoff, limit: 4, now: t.now() };
    const first = await t.store.jobsPrune(pass);
    expect(first.deleted).toBe(4);
    const second = await t.store.jobsPrune({ ...pass, resumeAfter: first.resumeAfter });
    expect(second.deleted).toBe(2);
    expect(((await t.store.jobsPrune({ ...pass, resumeAfter: second.resumeAfter })).deleted)).toBe(0);
    expect((await t.svc.listJobs({ queue: "q", state: "completed" })).jobs.map((j) => j.id).sort()).toEqual(late.map((j) => j.id).sort());
  });

  it("a fire finds the job its idempotency key already names, and the run records that job", async (t) => {
    const s = await create(t, "a");
    // Written straight to the store (a producer may not take a fire's key through the service).
    const jobs = resolveEnqueue("q", [{ payload: { mine: true }, idempotencyKey: fireKey("a", s.nextFireAt!) }], {}, t.now());
    const existing = (await t.store.jobsEnqueue({ jobs, now: t.now() }))[0]!.job;
    const outcome = (await fire(t, s))!;
    expect(outcome.job).toMatchObject({ created: false, job: { id: existing.id, payload: { mine: true } } });
    expect(outcome.schedule.lastJobId).toBe(existing.id);
    expect((await t.store.scheduleRunsList({ name: "a", limit: 10 }))[0]).toMatchObject({ kind: "fired", jobId: existing.id });
    expect((await t.svc.listJobs({ queue: "q" })).jobs).toHaveLength(1);
  });

  it("runs keep what they were given: missed ranges, catch-up and manual fires", async (t) => {
    const s = await create(t, "a");
    const at = s.nextFireAt!;
    const runs = [
      { kind: "missed" as const, fireTime: at, lastFireTime: at + 4 * SECOND, count: 5 },
      { kind: "fired" as const, fireTime: at + 5 * SECOND, catchUp: true },
    ];
    const fired = (await fire(t, s, { runs, nextFireAt: at + 6 * SECOND }))!;
    expect(fired.schedule).toMatchObject({ lastFireAt: at + 5 * SECOND, nextFireAt: at + 6 * SECOND, updatedAt: t.now() });
    t.clock.advance(SECOND);
    const manual = { kind: "fired" as const, fireTime: t.now(), manual: true };
    await fire(t, fired.schedule, { runs: [manual], nextFireAt: fired.schedule.nextFireAt, job: fireJob(s, t.now(), {}, t.now()) });
    const history = await t.store.scheduleRunsList({ name: "a", limit: 10 });
    expect(history.map(({ id: _id, job: _job, jobId: _jobId, ...run }) => run)).toEqual([
      { schedule: "a", kind: "fired", fireTime: t.now(), lastFireTime: t.now(), count: 1, manual: true, catchUp: false, at: t.now() },
      { schedule: "a", kind: "fired", fireTime: at + 5 * SECOND, lastFireTime: at + 5 * SECOND, count: 1, manual: false, catchUp: true, at: t.now() - SECOND },
      { schedule: "a", kind: "missed", fireTime: at, lastFireTime: at + 4 * SECOND, count: 5, manual: false, catchUp: false, at: t.now() - SECOND },
    ]);
    expect(history[2]).toMatchObject({ jobId: null, job: null });
    expect(history[0]!.job).toEqual({ state: "waiting", finishedAt: null, error: null, deleted: false });
    expect(Number(history[0]!.id)).toBeGreaterThan(Number(history[1]!.id));
    expect(await t.store.scheduleRunsList({ name: "a", limit: 1 })).toEqual(history.slice(0, 1));
  });

  it("a paused schedule is never due, yet a trigger fires it and leaves its nextFireAt unset", async (t) => {
    let s = await create(t, "a");
    s = (await t.store.schedulePut({ schedule: { ...s, enabled: false }, nextFireAt: null, expectedRevision: s.revision, now: t.now() }))!;
    expect(await t.store.schedulesDue({ now: t.now() + 3_600_000, limit: 10 })).toEqual([]);
    expect(await fire(t, { ...s, nextFireAt: Date.parse("2026-01-01T00:00:01Z") })).toBeNull();
    const triggered = await t.store.scheduleFire({
      name: "a", expectedRevision: s.revision, expectedNextFireAt: null, nextFireAt: null, job: fireJob(s, t.now(), {}, t.now()),
      runs: [{ kind: "fired", fireTime: t.now(), manual: true }], historyKeep: 100, now: t.now(),
    });
    expect(triggered!.schedule).toMatchObject({ enabled: false, nextFireAt: null, lastFireAt: t.now(), lastJobId: triggered!.job!.job.id });
    expect(await t.store.schedulesDue({ now: t.now() + 3_600_000, limit: 10 })).toEqual([]);
    const resumed = await t.store.schedulePut({ schedule: { ...s, enabled: true }, nextFireAt: t.now() + SECOND, expectedRevision: triggered!.schedule.revision, now: t.now() });
    expect((await t.store.schedulesDue({ now: t.now() + SECOND, limit: 10 })).map((x) => x.name)).toEqual(["a"]);
    expect(resumed).toMatchObject({ enabled: true, nextFireAt: t.now() + SECOND, lastJobId: triggered!.job!.job.id });
  });

  it("a run keeps the error of a failed job that retention deleted", async (t) => {
    const s = await create(t, "a", { jobOptions: { maxAttempts: 1 } });
    const { job } = (await fire(t, s))!.job!;
    await t.failWith(await t.claimOne("q"), { message: "disk on fire" });
    const finishedAt = t.now();
    t.clock.advance(SECOND);
    expect((await t.store.scheduleRunsList({ name: "a", limit: 1 }))[0]!.job).toEqual({ state: "failed", finishedAt, error: "disk on fire", deleted: false });
    expect((await t.store.jobsPrune({ queue: "q", state: "failed", finishedBefore: t.now(), limit: 10, now: t.now() })).deleted).toBe(1);
    expect(await t.store.jobGet({ id: job.id })).toBeNull();
    const [run] = await t.store.scheduleRunsList({ name: "a", limit: 1 });
    expect(run).toMatchObject({ jobId: job.id, job: { state: "failed", finishedAt, error: "disk on fire", deleted: true } });
  });

  it("jobsPrune goes by finish time, not enqueue order: a job enqueued first and finished last is kept; it counts the bytes it deleted", async (t) => {
    const payload = { data: "x".repeat(300) };
    const [early, middle, late] = [await t.enqueue("q", { payload }), await t.enqueue("q", { payload }), await t.enqueue("q", { payload })];
    const leased = await t.claim("q", 3);
    const byId = new Map(leased.map((j) => [j.id, j]));
    await t.complete(byId.get(late.id)!);
    t.clock.advance(SECOND);
    await t.complete(byId.get(middle.id)!);
    t.clock.advance(2 * SECOND);
    await t.complete(byId.get(early.id)!);
    const cutoff = t.now() - SECOND;
    const first = await t.store.jobsPrune({ queue: "q", state: "completed", finishedBefore: cutoff, limit: 1, now: t.now() });
    expect(first.deleted).toBe(1);
    expect(first.bytes).toBeGreaterThanOrEqual(JSON.stringify(payload).length);
    expect(first.bytes).toBeLessThan(JSON.stringify(payload).length + 200);
    expect((await t.store.jobsPrune({ queue: "q", state: "completed", finishedBefore: cutoff, limit: 10, now: t.now() })).deleted).toBe(1);
    expect(await t.store.jobGet({ id: late.id })).toBeNull();
    expect(await t.store.jobGet({ id: middle.id })).toBeNull();
    expect((await t.svc.listJobs({ queue: "q" })).jobs.map((j) => j.id)).toEqual([early.id]);
    expect((await t.svc.getQueue("q")).counts).toMatchObject({ completed: 1 });
  });

  it("jobsPrune deletes just the jobs finished before the cutoff, with the oldest already gone", async (t) => {
    const start = t.now();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      await t.enqueue("q");
      ids.push((await t.complete(await t.claimOne("q"))).id);
      t.clock.advance(10 * SECOND);
    }
    const prune = async (finishedBefore: number) => (await t.store.jobsPrune({ queue: "q", state: "completed", finishedBefore, limit: 10, now: t.now() })).deleted;
    expect(await prune(start)).toBe(0);
    expect(await prune(start + 10 * SECOND + 1)).toBe(2);
    expect(await prune(start + 40 * SECOND + 1)).toBe(3);
    expect((await t.svc.listJobs({ queue: "q" })).jobs.map((j) => j.id)).toEqual([ids[5]]);
  });

  it("a run keeps its job's outcome whoever deletes the job, as the job last was", async (t) => {
    const s = await create(t, "a", { jobOptions: { maxAttempts: 1 } });
    const unread = (await fire(t, s))!;
    await t.complete(await t.claimOne("q"), { ok: 1 });
    const firstFinish = t.now();
    t.clock.advance(SECOND);
    await t.svc.deleteJob(unread.job!.job.id);
    expect((await t.store.scheduleRunsList({ name: "a", limit: 1 }))[0]!.job).toEqual({ state: "completed", finishedAt: firstFinish, error: null, deleted: true });

    const again = (await fire(t, unread.schedule))!;
    const id = again.job!.job.id;
    await t.failWith(await t.claimOne("q"), { message: "first try" });
    expect((await t.store.scheduleRunsList({ name: "a", limit: 1 }))[0]!.job).toMatchObject({ state: "failed", error: "first try" });
    t.clock.advance(SECOND);
    await t.svc.retry(id);
    await t.complete(await t.claimOne("q"));
    const finishedAt = t.now();
    t.clock.advance(SECOND);
    await t.svc.deleteJob(id);
    const outcome = { state: "completed" as const, finishedAt, error: "first try", deleted: true };
    expect((await t.store.scheduleRunsList({ name: "a", limit: 1 }))[0]!.job).toEqual(outcome);
    expect((await t.store.scheduleRunsList({ name: "a", limit: 1 }))[0]!.job).toEqual(outcome);
  });
}
