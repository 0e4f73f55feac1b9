/** The scheduler under a TestClock: interval and cron fires, DST, overlap, catch-up, exactly-once across schedulers. */
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { BUILTINS_CHECK_MS, Scheduler } from "../src/scheduler/scheduler.ts";
import { ScheduleWorld } from "./helpers/schedule-world.ts";
import { waitFor } from "./helpers/wait.ts";

let w: ScheduleWorld;
beforeEach(() => {
  w = new ScheduleWorld();
});
afterEach(async () => {
  await w.close();
});

describe("firing", () => {
  test("an every-second schedule fires once per second, with the fire time in its idempotency key", async () => {
    await w.schedules.create("tick", { every: "1s", queue: "q", payload: { hello: 1 } });
    expect(await w.scheduler.tick()).toEqual([]);
    for (let s = 1; s <= 5; s++) {
      w.clock.advance(1000);
      const reports = await w.scheduler.tick();
      expect(reports.map((r) => r.kind)).toEqual(["fired"]);
      expect(await w.scheduler.tick()).toEqual([]);
    }
    expect(await w.fireTimes("q")).toEqual([1, 2, 3, 4, 5].map((s) => `2026-01-01T00:00:0${s}.000Z`));
    const jobs = await w.jobs("q");
    expect(jobs[0]!.idempotencyKey).toBe("schedule:tick:2026-01-01T00:00:01.000Z");
    expect(jobs.every((j) => j.state === "waiting" && (j.payload as { hello: number }).hello === 1)).toBe(true);
    const s = await w.schedules.get("tick");
    expect(s.nextFireAt).toBe(w.at("2026-01-01T00:00:06Z"));
    expect(s.lastJobId).toBe(jobs[4]!.id);
  });

  test("a six-field cron with seconds fires every second; a pass between fire times does nothing", async () => {
    await w.schedules.create("secs", { cron: "* * * * * *", queue: "q" });
    w.clock.advance(500);
    expect(await w.scheduler.tick()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      w.clock.advance(1000);
      await w.scheduler.tick();
    }
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T00:00:01.000Z", "2026-01-01T00:00:02.000Z", "2026-01-01T00:00:03.000Z"]);
  });

  test("jobs take the schedule's job options over the queue's defaults", async () => {
    await w.svc.putQueue("q", { concurrency: null, rateLimit: null, defaults: { priority: 2, maxAttempts: 7 }, retryPolicy: {}, laneOnFailure: "continue", retention: null, target: null });
    await w.schedules.create("opts", { every: "1m", queue: "q", jobOptions: { priority: 9, key: "lane-a" } });
    await w.tickAt("2026-01-01T00:01:00Z");
    const [job] = await w.jobs("q");
    expect({ priority: job!.priority, maxAttempts: job!.maxAttempts, key: job!.key }).toEqual({ priority: 9, maxAttempts: 7, key: "lane-a" });
  });

  test("a fire wakes a claim waiting on the schedule's queue", async () => {
    await w.schedules.create("wake", { every: "1s", queue: "q" });
    const claim = w.svc.claim({ queue: "q", workerId: "w", waitMs: 10_000 });
    await w.tickAt("2026-01-01T00:00:01Z");
    // The world's long polls never look again by themselves: the job arriving is the fire's wake-up.
    expect(await claim).toHaveLength(1);
  });
});

describe("time zones and DST", () => {
  test("a daily 02:30 in Europe/Berlin fires at 03:00 on the spring-forward day and once on the fall-back day", async () => {
    w.clock.set("2026-03-27T12:00:00Z");
    await w.schedules.create("berlin", { cron: "30 2 * * *", timezone: "Europe/Berlin", queue: "q" });
    for (let t = w.clock.now(); t <= w.at("2026-03-31T00:00:00Z"); t += 15 * 60_000) {
      w.clock.set(t);
      await w.scheduler.tick();
    }
    expect(await w.fireTimes("q")).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 02:30 does not exist: 03:00 CEST
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
    // Paused over the summer, resumed before the clocks go back.
    await w.schedules.pause("berlin");
    w.clock.set("2026-10-24T12:00:00Z");
    await w.schedules.resume("berlin");
    for (let t = w.clock.now(); t <= w.at("2026-10-27T00:00:00Z"); t += 15 * 60_000) {
      w.clock.set(t);
      await w.scheduler.tick();
    }
    expect((await w.fireTimes("q")).slice(3)).toEqual([
      "2026-10-25T00:30:00.000Z", // 02:30 CEST, the first of the two 02:30s: fires once
      "2026-10-26T01:30:00.000Z", // 02:30 CET
    ]);
  });

  test("an hourly cron in America/New_York fires on both 01:00s when the clocks go back", async () => {
    w.clock.set("2026-11-01T03:30:00Z");
    await w.schedules.create("ny", { cron: "0 * * * *", timezone: "America/New_York", queue: "q" });
    for (let t = w.clock.now(); t <= w.at("2026-11-01T08:00:00Z"); t += 10 * 60_000) {
      w.clock.set(t);
      await w.scheduler.tick();
    }
    expect(await w.fireTimes("q")).toEqual([
      "2026-11-01T04:00:00.000Z", // 00:00 EDT
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T07:00:00.000Z", // 02:00 EST
      "2026-11-01T08:00:00.000Z", // 03:00 EST
    ]);
  });

  test("the preview lists the next fire times in the schedule's zone, across the DST change", async () => {
    w.clock.set("2026-03-27T12:00:00Z");
    await w.schedules.create("berlin", { cron: "30 2 * * *", timezone: "Europe/Berlin", queue: "q" });
    const preview = await w.schedules.preview("berlin", 3);
    expect(preview.map((p) => p.local)).toEqual(["2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00"]);
    expect(preview.map((p) => new Date(p.at).toISOString())).toEqual(["2026-03-28T01:30:00.000Z", "2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"]);
    await w.schedules.create("every", { every: "30s", queue: "q" });
    expect((await w.schedules.preview("every", 2)).map((p) => p.local)).toEqual(["2026-03-27T12:00:30+00:00", "2026-03-27T12:01:00+00:00"]);
  });
});

describe("overlap", () => {
  test('overlap "skip" records skips while the previous job is unfinished, then fires again', async () => {
    await w.schedules.create("slow", { every: "10s", queue: "q", overlap: "skip" });
    await w.tickAt("2026-01-01T00:00:10Z");
    const [first] = await w.jobs("q");
    const claimed = await w.svc.claim({ queue: "q", workerId: "w", leaseMs: 600_000 });
    expect((await w.tickAt("2026-01-01T00:00:20Z")).map((r) => [r.kind, r.jobId])).toEqual([["skipped", first!.id]]);
    expect((await w.tickAt("2026-01-01T00:00:30Z")).map((r) => r.kind)).toEqual(["skipped"]);
    await w.svc.complete({ id: first!.id, token: claimed[0]!.leaseToken!, result: { ok: true } });
    expect((await w.tickAt("2026-01-01T00:00:40Z")).map((r) => r.kind)).toEqual(["fired"]);
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T00:00:10.000Z", "2026-01-01T00:00:40.000Z"]);

    const history = await w.schedules.history("slow");
    expect(history.map((r) => [r.kind, r.count, new Date(r.fireTime).toISOString(), new Date(r.lastFireTime).toISOString()])).toEqual([
      ["fired", 1, "2026-01-01T00:00:40.000Z", "2026-01-01T00:00:40.000Z"],
      ["skipped", 2, "2026-01-01T00:00:20.000Z", "2026-01-01T00:00:30.000Z"],
      ["fired", 1, "2026-01-01T00:00:10.000Z", "2026-01-01T00:00:10.000Z"],
    ]);
    expect(history[1]!.jobId).toBe(first!.id);
    expect(history[2]!.job).toMatchObject({ state: "completed", deleted: false });
    expect(history[0]!.job).toMatchObject({ state: "waiting" });
  });

  test('overlap "allow" fires while the previous job is still running', async () => {
    await w.schedules.create("fast", { every: "10s", queue: "q" });
    await w.tickAt("2026-01-01T00:00:10Z");
    await w.svc.claim({ queue: "q", workerId: "w" });
    await w.tickAt("2026-01-01T00:00:20Z");
    expect((await w.jobs("q")).map((j) => j.state)).toEqual(["active", "waiting"]);
  });
});

describe("catch-up after downtime", () => {
  async function downFor(catchUp: "one" | "none", until: string) {
    await w.schedules.create("hourly", { cron: "0 * * * *", queue: "q", catchUp });
    await w.tickAt("2026-01-01T00:30:00Z");
    // spool is down from 00:30 until `until`; a new process starts its scheduler.
    w.clock.set(until);
    const restarted = w.newScheduler();
    await restarted.start();
    await restarted.stop();
  }

  test('catchUp "one" fires once at start for the runs missed while down and records the rest as missed', async () => {
    await downFor("one", "2026-01-01T05:30:00Z");
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T05:00:00.000Z"]);
    const [fired, missed] = await w.schedules.history("hourly");
    expect(fired).toMatchObject({ kind: "fired", catchUp: true, fireTime: w.at("2026-01-01T05:00:00Z") });
    expect(missed).toMatchObject({ kind: "missed", count: 4, fireTime: w.at("2026-01-01T01:00:00Z"), lastFireTime: w.at("2026-01-01T04:00:00Z"), jobId: null });
    expect((await w.schedules.get("hourly")).nextFireAt).toBe(w.at("2026-01-01T06:00:00Z"));
  });

  test('catchUp "none" fires nothing for the downtime and records every missed run', async () => {
    await downFor("none", "2026-01-01T05:30:00Z");
    expect(await w.jobs("q")).toEqual([]);
    const history = await w.schedules.history("hourly");
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ kind: "missed", count: 5, fireTime: w.at("2026-01-01T01:00:00Z"), lastFireTime: w.at("2026-01-01T05:00:00Z") });
    await w.tickAt("2026-01-01T06:00:00Z");
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T06:00:00.000Z"]);
  });

  test("a restart within a minute of a fire time still fires it on time, whatever catchUp says", async () => {
    await downFor("none", "2026-01-01T05:00:30Z");
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T05:00:00.000Z"]);
    const [fired, missed] = await w.schedules.history("hourly");
    expect(fired).toMatchObject({ kind: "fired", catchUp: false });
    expect(missed).toMatchObject({ kind: "missed", count: 4 });
  });

  test("a long downtime is one missed entry: intervals counted exactly, cron counted up to 1000", async () => {
    await w.schedules.create("interval", { every: "1s", queue: "q", catchUp: "none" });
    await w.schedules.create("cron", { cron: "* * * * * *", queue: "q", catchUp: "none" });
    const reports = await w.tickAt("2026-01-01T01:00:00.500Z");
    // The fire time half a second ago is this pass's own, not a missed one: it fires.
    expect(reports.map((r) => [r.schedule, r.kind, r.count])).toEqual([
      ["cron", "missed", 999], ["cron", "fired", 1], ["interval", "missed", 3599], ["interval", "fired", 1],
    ]);
    for (const name of ["interval", "cron"]) {
      const [fired, missed] = await w.schedules.history(name);
      expect(fired).toMatchObject({ kind: "fired", fireTime: w.at("2026-01-01T01:00:00Z"), catchUp: false });
      expect(missed).toMatchObject({ fireTime: w.at("2026-01-01T00:00:01Z"), lastFireTime: w.at("2026-01-01T00:59:59Z") });
      expect((await w.schedules.get(name)).nextFireAt).toBe(w.at("2026-01-01T01:00:01Z"));
    }
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T01:00:00.000Z", "2026-01-01T01:00:00.000Z"]);
  });

  test("a paused schedule is not behind: resuming starts from now without missed runs", async () => {
    await w.schedules.create("hourly", { cron: "0 * * * *", queue: "q" });
    await w.schedules.pause("hourly");
    await w.tickAt("2026-01-01T03:30:00Z");
    expect((await w.schedules.get("hourly")).nextFireAt).toBeNull();
    const resumed = await w.schedules.resume("hourly");
    expect(resumed.nextFireAt).toBe(w.at("2026-01-01T04:00:00Z"));
    await w.tickAt("2026-01-01T04:00:00Z");
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T04:00:00.000Z"]);
    expect((await w.schedules.history("hourly")).map((r) => r.kind)).toEqual(["fired"]);
  });
});

describe("exactly once", () => {
  async function race(schedulers: Scheduler[], seconds: number) {
    const reports = [];
    for (let s = 1; s <= seconds; s++) {
      w.clock.set(w.at("2026-01-01T00:00:00Z") + s * 1000);
      const passes = await Promise.all(schedulers.map((sch) => sch.tick()));
      reports.push(...passes.flat());
    }
    return reports;
  }

  test("two schedulers over one store racing the same ticks fire each fire time once", async () => {
    await w.schedules.create("race", { every: "1s", queue: "q" });
    const reports = await race([w.scheduler, w.newScheduler()], 20);
    expect(reports.filter((r) => r.kind === "fired")).toHaveLength(20);
    const times = await w.fireTimes("q");
    expect(times).toHaveLength(20);
    expect(new Set(times).size).toBe(20);
    expect((await w.schedules.history("race")).filter((r) => r.kind === "fired")).toHaveLength(20);
  });

  test("two store handles on one database file (two processes) racing the same ticks fire each fire time once", async () => {
    await w.schedules.create("race", { every: "1s", queue: "q" });
    await w.schedules.create("skipper", { every: "1s", queue: "slow", overlap: "skip" });
    const other = w.openSecondStore();
    const reports = await race([w.scheduler, w.newScheduler(other.svc), w.newScheduler(), w.newScheduler(other.svc)], 15);
    expect(reports.filter((r) => r.schedule === "race" && r.kind === "fired")).toHaveLength(15);
    expect(await w.fireTimes("q")).toEqual(Array.from({ length: 15 }, (_, i) => new Date(w.at("2026-01-01T00:00:00Z") + (i + 1) * 1000).toISOString()));
    // The skip schedule's first job stays unfinished: one fire, then one skip entry counting 14.
    expect(await w.jobs("slow")).toHaveLength(1);
    const history = await w.schedules.history("skipper");
    expect(history.map((r) => [r.kind, r.count])).toEqual([["skipped", 14], ["fired", 1]]);
  });

  test("after a downtime, racing schedulers catch up once", async () => {
    await w.schedules.create("hourly", { cron: "0 * * * *", queue: "q" });
    const other = w.openSecondStore();
    w.clock.set("2026-01-01T05:30:00Z");
    const passes = await Promise.all([w.scheduler.tick(), w.newScheduler(other.svc).tick(), w.newScheduler().tick()]);
    expect(passes.flat().map((r) => r.kind).sort()).toEqual(["fired", "missed"]);
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T05:00:00.000Z"]);
  });
});

describe("running on a timer", () => {
  test("start() catches up before it returns and stop() ends the loop", async () => {
    await w.schedules.create("hourly", { cron: "0 * * * *", queue: "q" });
    w.clock.set("2026-01-01T02:10:00Z");
    await w.scheduler.start();
    expect(await w.fireTimes("q")).toEqual(["2026-01-01T02:00:00.000Z"]);
    expect((await w.schedules.list()).filter((s) => s.builtin).map((s) => s.name)).toHaveLength(4);
    await w.scheduler.stop();
  });

  test("the loop passes again on its own at the next second", async () => {
    const real = new ScheduleWorld();
    try {
      const errors: unknown[] = [];
      await real.schedules.create("soon", { every: "1s", queue: "q" });
      const scheduler = new Scheduler({ service: real.svc, builtinTimezone: "UTC", onError: (e) => errors.push(e) });
      // The claim waits for the fire: the loop's next pass sees the clock moved and enqueues.
      const claim = real.svc.claim({ queue: "q", workerId: "w", waitMs: 5000 });
      await scheduler.start();
      expect(await real.jobs("q")).toEqual([]);
      real.clock.advance(1000);
      const jobs = await claim;
      await scheduler.stop();
      expect(jobs).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await real.close();
    }
  });

  test("a built-in schedule the store lost (a Redis restarted empty, say) is back within a minute, without a restart", async () => {
    const errors: unknown[] = [];
    const scheduler = new Scheduler({ service: w.svc, builtinTimezone: "UTC", onError: (e) => errors.push(e) });
    await scheduler.start();
    try {
      expect(await w.store.scheduleDelete({ name: "spool:health", now: w.clock.now() })).toBe(true);
      w.clock.advance(BUILTINS_CHECK_MS - 1000);
      await Bun.sleep(1200);
      expect((await w.schedules.list()).map((s) => s.name)).not.toContain("spool:health");
      w.clock.advance(1000);
      await waitFor(async () => (await w.schedules.list()).some((s) => s.name === "spool:health" && s.builtin), 3000, "spool:health to be back");
      expect(errors).toEqual([]);
    } finally {
      await scheduler.stop();
    }
  });
});
