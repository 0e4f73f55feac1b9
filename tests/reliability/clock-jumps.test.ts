/**
 * Clock jumps, through the injectable clock: the wall clock leaping forward (a suspended VM
 * waking, NTP stepping) or stepping back. Each schedule slot still fires once, leases are
 * recovered or kept as their expiry says, and nothing finished runs again.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { ScheduleWorld } from "../helpers/schedule-world.ts";

let w: ScheduleWorld;
beforeEach(() => (w = new ScheduleWorld("2026-03-10T10:00:00Z")));
afterEach(() => w.close());

test("a leap forward of a day: one catch-up fire per schedule, expired leases recovered, delayed jobs due", async () => {
  await w.schedules.create("hourly", { cron: "0 * * * *", queue: "q" });
  await w.schedules.create("often", { every: "30s", queue: "q2" });
  await w.tickAt("2026-03-10T11:00:00Z");
  expect(await w.fireTimes("q")).toEqual(["2026-03-10T11:00:00.000Z"]);
  const fired = await w.jobs("q2");
  const [leased] = await w.svc.claim({ queue: "q", workerId: "w", leaseMs: 30_000 });
  const later = await w.svc.enqueue("d", { delayMs: 3_600_000 });

  await w.tickAt("2026-03-11T11:00:10Z");
  // One fire for all the hours missed, not twenty-four; the 30 s schedule likewise once.
  expect(await w.fireTimes("q")).toEqual(["2026-03-10T11:00:00.000Z", "2026-03-11T11:00:00.000Z"]);
  expect((await w.jobs("q2")).length).toBe(fired.length + 1);
  await w.svc.reapExpiredLeases();
  const recovered = await w.svc.getJob(leased!.id);
  expect(recovered.errors.map((e) => e.type)).toEqual(["lease_expired"]);
  await expect(w.svc.complete({ id: leased!.id, token: leased!.leaseToken! })).rejects.toMatchObject({ code: "lease_lost" });
  await w.svc.promoteDueJobs();
  expect((await w.svc.getJob(later.job.id)).state).toBe("waiting");
});

test("a step back of an hour: no slot fires twice, a held lease stays held, a completion stays final", async () => {
  await w.schedules.create("hourly", { cron: "0 * * * *", queue: "q" });
  await w.tickAt("2026-03-10T11:00:00Z");
  await w.tickAt("2026-03-10T12:00:00Z");
  const [leased] = await w.svc.claim({ queue: "q", workerId: "w", leaseMs: 60_000 });
  const [other] = await w.svc.claim({ queue: "q", workerId: "w2", leaseMs: 60_000 });
  await w.svc.complete({ id: other!.id, token: other!.leaseToken! });

  await w.tickAt("2026-03-10T11:00:30Z");
  await w.tickAt("2026-03-10T12:00:00Z");
  expect(await w.fireTimes("q")).toEqual(["2026-03-10T11:00:00.000Z", "2026-03-10T12:00:00.000Z"]);
  expect(await w.svc.reapExpiredLeases()).toEqual([]);
  expect((await w.svc.heartbeat({ id: leased!.id, token: leased!.leaseToken! })).state).toBe("active");
  expect((await w.svc.complete({ id: leased!.id, token: leased!.leaseToken! })).state).toBe("completed");
  expect(await w.svc.claim({ queue: "q", workerId: "w3", max: 10 })).toEqual([]);
  expect((await w.svc.getJob(other!.id)).state).toBe("completed");
  // Time moves on from the earlier clock: the next slot fires once when it comes.
  await w.tickAt("2026-03-10T13:00:00Z");
  expect(await w.fireTimes("q")).toEqual(["2026-03-10T11:00:00.000Z", "2026-03-10T12:00:00.000Z", "2026-03-10T13:00:00.000Z"]);
});
