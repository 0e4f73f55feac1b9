/** Schedule operations: validation naming the field, edits, pause/resume, trigger, delete, built-ins, bounded history. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { builtinSchedules } from "../src/scheduler/builtins.ts";
import { resolveSchedule } from "../src/scheduler/schedule-input.ts";
import { parseEvery } from "../src/scheduler/timing.ts";
import { refused, ScheduleWorld } from "./helpers/schedule-world.ts";

let w: ScheduleWorld;
beforeEach(() => {
  w = new ScheduleWorld();
});
afterEach(async () => {
  await w.close();
});

describe("invalid input", () => {
  const cases: [string, Record<string, unknown>, string[]][] = [
    ["a cron with a value out of range", { cron: "61 * * * *", queue: "q" }, ["cron"]],
    ["a cron with three fields", { cron: "* * *", queue: "q" }, ["cron"]],
    ["a seven-field cron", { cron: "0 0 0 * * * 2030", queue: "q" }, ["cron"]],
    ["a cron that never fires", { cron: "0 0 30 2 *", queue: "q" }, ["cron"]],
    ["an unknown time zone", { cron: "0 * * * *", timezone: "Mars/Olympus_Mons", queue: "q" }, ["timezone"]],
    ["a bad cron and a bad time zone together", { cron: "nope", timezone: "Nowhere", queue: "q" }, ["cron", "timezone"]],
    ["an interval without a unit", { every: "30", queue: "q" }, ["every"]],
    ["an interval under a second", { every: "500ms", queue: "q" }, ["every"]],
    ["an interval of zero", { every: "0s", queue: "q" }, ["every"]],
    ["an interval in an unknown unit", { every: "3w", queue: "q" }, ["every"]],
    ["both cron and every", { cron: "* * * * *", every: "1m", queue: "q" }, ["every"]],
    ["neither cron nor every", { queue: "q" }, ["cron"]],
    ["no queue", { every: "1m" }, ["queue"]],
    ["a bad queue name", { every: "1m", queue: "bad queue" }, ["queue"]],
    ["an unknown overlap", { every: "1m", queue: "q", overlap: "queue" }, ["overlap"]],
    ["an unknown catchUp", { every: "1m", queue: "q", catchUp: "all" }, ["catchUp"]],
    ["job options it may not set", { every: "1m", queue: "q", jobOptions: { idempotencyKey: "x", priority: 11 } }, ["jobOptions.idempotencyKey", "jobOptions.priority"]],
    ["a non-boolean enabled", { every: "1m", queue: "q", enabled: "yes" }, ["enabled"]],
  ];
  for (const [what, input, paths] of cases) {
    test(`${what} → 400 naming ${paths.join(", ")}`, async () => {
      await refused(w.schedules.create("s", input as never), "validation_failed", 400, paths);
      expect(await w.schedules.list()).toEqual([]);
    });
  }

  test("a bad name, a reserved name and a taken name are refused", async () => {
    await refused(w.schedules.create("has space", { every: "1m", queue: "q" }), "validation_failed", 400, ["name"]);
    await refused(w.schedules.create("spool:mine", { every: "1m", queue: "q" }), "validation_failed", 400, ["name"]);
    await w.schedules.create("taken", { every: "1m", queue: "q" });
    await refused(w.schedules.create("taken", { every: "5m", queue: "q" }), "conflict", 409);
    expect((await w.schedules.get("taken")).every).toBe("1m");
  });

  test("an invalid edit leaves the schedule as it was", async () => {
    const before = await w.schedules.create("s", { cron: "0 * * * *", queue: "q" });
    await refused(w.schedules.put("s", { timezone: "Atlantis/Capital" }), "validation_failed", 400, ["timezone"]);
    await refused(w.schedules.put("s", { cron: "0 25 * * *" }), "validation_failed", 400, ["cron"]);
    expect(await w.schedules.get("s")).toEqual(before);
  });

  test("intervals: whole seconds, minutes, hours and days", () => {
    expect(["1s", "30s", "5m", "1h", "2d", "90s"].map(parseEvery)).toEqual([1000, 30_000, 300_000, 3_600_000, 172_800_000, 90_000]);
    expect(["", "1", "1.5s", "0s", "400d", "s"].map(parseEvery)).toEqual([null, null, null, null, null, null]);
  });

  test("unknown schedules answer 404", async () => {
    for (const op of [w.schedules.get("none"), w.schedules.pause("none"), w.schedules.resume("none"), w.schedules.trigger("none"), w.schedules.delete("none"), w.schedules.preview("none"), w.schedules.history("none")]) {
      await refused(op, "not_found", 404);
    }
  });
});

describe("editing", () => {
  test("create fills defaults; a timing change recomputes the next fire time, other edits keep it", async () => {
    const s = await w.schedules.create("s", { cron: "@daily", queue: "q" });
    expect(s).toMatchObject({ every: null, timezone: "UTC", payload: null, jobOptions: {}, enabled: true, overlap: "allow", catchUp: "one", builtin: false });
    expect(s.nextFireAt).toBe(w.at("2026-01-02T00:00:00Z"));
    w.clock.set("2026-01-01T10:00:00Z");
    const edited = (await w.schedules.put("s", { queue: "other", payload: { a: 1 } })).schedule;
    expect(edited).toMatchObject({ queue: "other", payload: { a: 1 }, cron: "@daily", nextFireAt: w.at("2026-01-02T00:00:00Z") });
    const retimed = (await w.schedules.put("s", { every: "1h" })).schedule;
    expect(retimed).toMatchObject({ cron: null, every: "1h", queue: "other", nextFireAt: w.at("2026-01-01T11:00:00Z") });
    expect(retimed.revision).toBeGreaterThan(edited.revision);
  });

  test("PUT on an unknown name creates the schedule", async () => {
    const { schedule, created } = await w.schedules.put("new", { every: "10s", queue: "q" });
    expect(created).toBe(true);
    expect(schedule.nextFireAt).toBe(w.at("2026-01-01T00:00:10Z"));
    expect((await w.schedules.put("new", { every: "20s" })).created).toBe(false);
  });

  test("a paused schedule does not fire; trigger fires it anyway and leaves its timing alone", async () => {
    await w.schedules.create("s", { every: "10s", queue: "q", payload: { n: 1 } });
    await w.schedules.pause("s");
    await w.tickAt("2026-01-01T00:00:30Z");
    expect(await w.jobs("q")).toEqual([]);
    w.clock.set("2026-01-01T00:00:31.250Z");
    const { job, created } = await w.schedules.trigger("s");
    expect(created).toBe(true);
    expect(job).toMatchObject({ queue: "q", payload: { n: 1 }, idempotencyKey: "schedule:s:2026-01-01T00:00:31.250Z" });
    const s = await w.schedules.get("s");
    expect({ enabled: s.enabled, nextFireAt: s.nextFireAt, lastJobId: s.lastJobId }).toEqual({ enabled: false, nextFireAt: null, lastJobId: job.id });
    expect(await w.schedules.history("s")).toMatchObject([{ kind: "fired", manual: true, jobId: job.id, job: { state: "waiting" } }]);
  });

  test("deleting removes the schedule and its history; built-ins cannot be deleted", async () => {
    await w.schedules.create("s", { every: "1s", queue: "q" });
    await w.tickAt("2026-01-01T00:00:01Z");
    await w.schedules.delete("s");
    await refused(w.schedules.get("s"), "not_found", 404);
    await w.schedules.create("s", { every: "1s", queue: "q" });
    expect(await w.schedules.history("s")).toEqual([]);
    await w.scheduler.ensureBuiltins();
    await refused(w.schedules.delete("spool:retention"), "conflict", 409);
  });
});

describe("history", () => {
  test("keeps a bounded number of entries per schedule, newest first", async () => {
    const small = new ScheduleWorld("2026-01-01T00:00:00Z", { historyKeep: 5 });
    try {
      await small.schedules.create("s", { every: "1s", queue: "q" });
      await small.schedules.create("t", { every: "1s", queue: "q2" });
      for (let i = 1; i <= 8; i++) {
        small.clock.advance(1000);
        await small.scheduler.tick();
      }
      const history = await small.schedules.history("s", 100);
      expect(history.map((r) => new Date(r.fireTime).toISOString().slice(17, 19))).toEqual(["08", "07", "06", "05", "04"]);
      expect(await small.schedules.history("t", 100)).toHaveLength(5);
      expect(await small.jobs("q")).toHaveLength(8);
    } finally {
      await small.close();
    }
  });

  test("a run keeps its job's outcome after the job is deleted", async () => {
    await w.schedules.create("s", { every: "1s", queue: "q" });
    await w.tickAt("2026-01-01T00:00:01Z");
    const [claimed] = await w.svc.claim({ queue: "q", workerId: "w" });
    await w.svc.fail({ id: claimed!.id, token: claimed!.leaseToken!, error: { message: "disk on fire" }, retry: false });
    expect((await w.schedules.history("s"))[0]!.job).toMatchObject({ state: "failed", error: "disk on fire", deleted: false });
    await w.svc.deleteJob(claimed!.id);
    expect((await w.schedules.history("s"))[0]).toMatchObject({ jobId: claimed!.id, job: { state: "failed", error: "disk on fire", deleted: true } });
  });
});

describe("built-in schedules", () => {
  test("are created once, fire into the maintenance queue, and are never overwritten after an edit", async () => {
    expect((await w.scheduler.ensureBuiltins()).sort()).toEqual(["spool:daily-report", "spool:disk-check", "spool:health", "spool:retention"]);
    const retention = await w.schedules.get("spool:retention");
    expect(retention).toMatchObject({ builtin: true, cron: "0 4 * * *", queue: "spool:maintenance", payload: { task: "retention" }, overlap: "skip" });
    expect(retention.nextFireAt).toBe(w.at("2026-01-01T04:00:00Z"));
    expect((await w.schedules.get("spool:disk-check")).nextFireAt).toBe(w.at("2026-01-01T00:15:00Z"));
    expect((await w.schedules.get("spool:health")).nextFireAt).toBe(w.at("2026-01-01T00:00:30Z"));
    expect((await w.schedules.get("spool:daily-report")).nextFireAt).toBe(w.at("2026-01-01T02:00:00Z"));

    await w.schedules.put("spool:retention", { cron: "30 3 * * *" });
    await w.schedules.pause("spool:health");
    expect(await w.scheduler.ensureBuiltins()).toEqual([]);
    expect((await w.schedules.get("spool:retention")).cron).toBe("30 3 * * *");
    expect((await w.schedules.get("spool:health")).enabled).toBe(false);

    const fired = await w.tickAt("2026-01-01T00:15:00Z");
    expect(fired.map((r) => r.schedule)).toEqual(["spool:disk-check"]);
    const [job] = await w.jobs("spool:maintenance");
    expect(job!.payload).toEqual({ task: "disk-check" });
  });

  test("each built-in passes the same validation as an operator's schedule", () => {
    const defs = builtinSchedules("Europe/Paris");
    expect(defs.map((s) => resolveSchedule(s.name, s, null))).toEqual(defs);
    expect(defs.map((s) => [s.name, s.cron ?? s.every, s.catchUp])).toEqual([
      ["spool:retention", "0 4 * * *", "one"],
      ["spool:daily-report", "0 2 * * *", "one"],
      ["spool:disk-check", "15 * * * *", "one"],
      ["spool:health", "30s", "none"],
    ]);
  });
});
