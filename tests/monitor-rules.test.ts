/** Each alert rule on its own: silent at its threshold, firing just past it, with the severity §5 gives. */
import { describe, expect, test } from "bun:test";
import type { StatsCounters } from "../src/core/monitor-store.ts";
import { emptyCounts, type StateCounts } from "../src/core/queue-config.ts";
import { DEFAULT_THRESHOLDS as T } from "../src/monitor/monitor-config.ts";
import { evaluateRules } from "../src/monitor/rules/all-rules.ts";
import { diskSpace } from "../src/monitor/rules/disk-space.ts";
import { errorConcentration } from "../src/monitor/rules/error-concentration.ts";
import { failureRate } from "../src/monitor/rules/failure-rate.ts";
import { noActivity } from "../src/monitor/rules/no-activity.ts";
import { queueBacklog } from "../src/monitor/rules/queue-backlog.ts";
import { firingKey, type AlertRule, type QueueInput, type RuleInput } from "../src/monitor/rules/rule.ts";
import { scheduleLate } from "../src/monitor/rules/schedule-late.ts";
import { stalledJobs } from "../src/monitor/rules/stalled-jobs.ts";
import { trackUnserved, workerDown } from "../src/monitor/rules/worker-down.ts";
import { zeroCounters } from "../src/monitor/stats.ts";

const NOW = Date.parse("2026-01-05T12:00:00Z");

const counters = (c: Partial<StatsCounters>): StatsCounters => ({ ...zeroCounters(), ...c });
const queue = (name: string, counts: Partial<StateCounts> = {}, more: Partial<QueueInput> = {}): QueueInput => ({
  name, counts: { ...emptyCounts(), ...counts }, paused: false, hasTarget: false, nextRunAt: null, ...more,
});
const input = (more: Partial<RuleInput>): RuleInput => ({
  now: NOW, queues: [], lastHour: {}, errorsLastHour: [], activityWindow: {}, activityBeforeGrace: {},
  workers: [], schedules: [], disk: null, firing: new Set(), unservedSince: {}, ...more,
});
const fired = (rule: AlertRule, i: RuleInput) => rule.evaluate(i, T).map((c) => `${c.rule} ${c.subject} ${c.severity}`);

describe("alert rules at their thresholds", () => {
  test("queue_backlog: more than 1000 waiting", () => {
    expect(fired(queueBacklog, input({ queues: [queue("q", { waiting: 1000, delayed: 5000 })] }))).toEqual([]);
    expect(fired(queueBacklog, input({ queues: [queue("q", { waiting: 1001 })] }))).toEqual(["queue_backlog q warning"]);
    // With the age of its oldest waiting job, the message says how far behind the queue is.
    const [c] = queueBacklog.evaluate(input({ queues: [queue("q", { waiting: 1001 }, { oldestWaiting: NOW - 180_000 })] }), T);
    expect(c!.message).toBe("queue q has 1001 waiting jobs (more than 1000); the oldest has waited 3 min");
  });

  test("failure_rate: warning from 10 %, critical from 50 %, only with at least 20 finished", () => {
    const rate = (completed: number, failed: number) => fired(failureRate, input({ lastHour: { q: counters({ completed, failed }) } }));
    expect(rate(10, 9)).toEqual([]);
    expect(rate(19, 2)).toEqual([]);
    expect(rate(18, 2)).toEqual(["failure_rate q warning"]);
    expect(rate(11, 9)).toEqual(["failure_rate q warning"]);
    expect(rate(10, 10)).toEqual(["failure_rate q critical"]);
    const [c] = failureRate.evaluate(input({ lastHour: { q: counters({ completed: 10, failed: 10 }) } }), T);
    expect(c).toMatchObject({ value: 0.5, threshold: 0.5 });
  });

  test("worker_down: runnable jobs, no target, no worker of the queue seen for 60 s", () => {
    const w = (ageMs: number, queues = ["q"]) => ({ id: "w", lastSeenAt: NOW - ageMs, queues });
    const down = (q: QueueInput, workers = [w(60_001)]) => fired(workerDown, input({ queues: [q], workers }));
    expect(down(queue("q", { waiting: 1 }), [w(60_000)])).toEqual([]);
    expect(down(queue("q", { waiting: 1 }))).toEqual(["worker_down q error"]);
    // No worker of the queue ever seen: it waits as long from when its jobs were first seen unserved.
    const unserved = (sinceMs: number | undefined, workers: ReturnType<typeof w>[] = []) =>
      fired(workerDown, input({ queues: [queue("q", { waiting: 1 })], workers, unservedSince: sinceMs === undefined ? {} : { q: NOW - sinceMs } }));
    expect(unserved(undefined)).toEqual([]);
    expect(unserved(59_999)).toEqual([]);
    expect(unserved(60_000)).toEqual(["worker_down q error"]);
    expect(unserved(60_000, [w(1000, ["other"])])).toEqual(["worker_down q error"]);
    expect(down(queue("q", { delayed: 1 }, { nextRunAt: NOW + 1 }))).toEqual([]);
    expect(down(queue("q", { delayed: 1 }, { nextRunAt: NOW }))).toEqual(["worker_down q error"]);
    expect(down(queue("q", { waiting: 1 }, { hasTarget: true }))).toEqual([]);
    // What is tracked as unserved: runnable, not paused, no target, no known worker listing the queue.
    const since = new Map([["gone", NOW - 5000]]);
    const at = (now: number) => ({ now, workers: [w(1000, ["served"])], queues: [
      queue("q", { waiting: 1 }), queue("served", { waiting: 1 }), queue("paused", { waiting: 1 }, { paused: true }),
      queue("idle"), queue("due", { delayed: 1 }, { nextRunAt: NOW }),
    ] });
    trackUnserved(at(NOW), since);
    expect(Object.fromEntries(since)).toEqual({ q: NOW, due: NOW });
    trackUnserved(at(NOW + 30_000), since);
    expect(Object.fromEntries(since)).toEqual({ q: NOW, due: NOW });
    expect(down(queue("q", { waiting: 1 }, { paused: true }))).toEqual([]);
    expect(down(queue("q", { active: 3, blocked: 2 }))).toEqual([]);
  });

  test("stalled_jobs: a lease expired in the last hour", () => {
    expect(fired(stalledJobs, input({ lastHour: { q: counters({ expired: 0, retried: 4 }) } }))).toEqual([]);
    expect(fired(stalledJobs, input({ lastHour: { q: counters({ expired: 1 }) } }))).toEqual(["stalled_jobs q warning"]);
  });

  test("schedule_late: more than two periods behind", () => {
    const late = (behindMs: number, periodMs: number | null = 60_000) =>
      fired(scheduleLate, input({ schedules: [{ name: "s", nextFireAt: NOW - behindMs, periodMs }] }));
    expect(late(120_000)).toEqual([]);
    expect(late(120_001)).toEqual(["schedule_late s warning"]);
    expect(late(10 * 86_400_000, null)).toEqual([]);
  });

  test("disk_space: warning above 80 %, critical above 90 %", () => {
    const disk = (usedPercent: number | null) => fired(diskSpace, input({ disk: usedPercent === null ? null : { usedPercent } }));
    expect(disk(null)).toEqual([]);
    expect(disk(80)).toEqual([]);
    expect(disk(80.1)).toEqual(["disk_space disk warning"]);
    expect(disk(90)).toEqual(["disk_space disk warning"]);
    expect(disk(90.1)).toEqual(["disk_space disk critical"]);
  });

  test("error_concentration: one type over half of at least 10 failed attempts", () => {
    const errors = (pairs: [string, number][]) =>
      fired(errorConcentration, input({ errorsLastHour: pairs.map(([type, n]) => ({ queue: "q", type, n })) }));
    expect(errors([["smtp", 6], ["dns", 3]])).toEqual([]);
    expect(errors([["smtp", 5], ["dns", 5]])).toEqual([]);
    expect(errors([["smtp", 6], ["dns", 4]])).toEqual(["error_concentration q warning"]);
    expect(errorConcentration.evaluate(input({ errorsLastHour: [{ queue: "q", type: "dns", n: 4 }, { queue: "q", type: "smtp", n: 6 }] }), T)[0]!.message)
      .toContain('"smtp"');
  });

  test("no_activity: enqueued over the window (at least the grace period ago) and nothing finished", () => {
    const act = (window: Partial<StatsCounters>, early: Partial<StatsCounters>) =>
      fired(noActivity, input({ queues: [queue("q")], activityWindow: { q: counters(window) }, activityBeforeGrace: { q: counters(early) } }));
    expect(act({ enqueued: 5 }, { enqueued: 0 })).toEqual([]);
    expect(act({ enqueued: 5, completed: 1 }, { enqueued: 3 })).toEqual([]);
    expect(act({ enqueued: 5, failed: 1 }, { enqueued: 3 })).toEqual([]);
    expect(act({ enqueued: 5 }, { enqueued: 3 })).toEqual(["no_activity q warning"]);
    // The window as people say it, however short it is set.
    const message = (windowMs: number) =>
      noActivity.evaluate(
        input({ queues: [queue("q")], activityWindow: { q: counters({ enqueued: 2 }) }, activityBeforeGrace: { q: counters({ enqueued: 2 }) } }),
        { ...T, noActivityWindowMs: windowMs },
      )[0]!.message;
    expect(message(86_400_000)).toBe("queue q: 2 jobs enqueued in the last 1 d and none finished");
    expect(message(120_000)).toBe("queue q: 2 jobs enqueued in the last 2 min and none finished");
    expect(message(90_000)).toBe("queue q: 2 jobs enqueued in the last 90 s and none finished");
  });

  test("no_activity holds once firing while jobs still wait or run and none finished, whenever they were enqueued", () => {
    const firing = new Set([firingKey("no_activity", "q")]);
    const held = (counts: Partial<StateCounts>, window: Partial<StatsCounters> = {}, isFiring = firing) =>
      noActivity.evaluate(input({ queues: [queue("q", counts)], activityWindow: { q: counters(window) }, firing: isFiring }), T);
    expect(held({ waiting: 3, active: 1 }).map((c) => [c.subject, c.value, c.message])).toEqual([
      ["q", 4, "queue q: 4 jobs waiting or running and none finished in the last 1 d"],
    ]);
    // No window figures at all (nothing happened in it) holds it too.
    expect(noActivity.evaluate(input({ queues: [queue("q", { waiting: 1 })], firing }), T).map((c) => c.message)).toEqual([
      "queue q: 1 job waiting or running and none finished in the last 1 d",
    ]);
    expect(held({ waiting: 3 }, { completed: 1 })).toEqual([]);
    expect(held({ delayed: 3, failed: 2 })).toEqual([]);
    expect(held({ waiting: 3 }, {}, new Set())).toEqual([]);
    expect(held({ waiting: 3 }, {}, new Set([firingKey("no_activity", "other")]))).toEqual([]);
  });

  test("all rules together, with configurable thresholds", () => {
    const i = input({ queues: [queue("q", { waiting: 6 })], workers: [{ id: "w", lastSeenAt: NOW, queues: ["q"] }], disk: { usedPercent: 50 } });
    expect(evaluateRules(i, T)).toEqual([]);
    expect(evaluateRules(i, { ...T, queueBacklog: 5, diskWarningPercent: 40 }).map((c) => c.rule)).toEqual(["queue_backlog", "disk_space"]);
  });
});
