/** @jsxImportSource hono/jsx */
/** GET /: the overview, gathered from the services behind /v1/health, /v1/stats, /v1/workers, /v1/queues, lanes and schedules. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { deduction } from "../../monitor/health-score.ts";
import { DAY_MS, HOUR_MS } from "../../monitor/stats.ts";
import { OverviewPage } from "../../../views/pages/overview.tsx";
import { isOwnWorker } from "../../../views/components/queue-badges.tsx";
import { page } from "../render.tsx";

/** A schedule this far past its fire time reads as late on the overview. */
const LATE_AFTER_MS = 60_000;

export function registerOverview(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { monitor, workers, schedules, service, clock } = deps;
  web.get("/", async (c) => {
    const now = clock.now();
    const [health, stats, workerList, lastHour, lastDay, blockedLanes, scheduleList, queues] = await Promise.all([
      monitor.health(),
      monitor.stats(),
      workers.list(),
      monitor.series({ windowMs: HOUR_MS, stepMs: 60_000 }),
      monitor.series({ windowMs: DAY_MS, stepMs: HOUR_MS }),
      monitor.blockedLanes(),
      schedules.list(),
      service.listQueues(),
    ]);
    const yours = workerList.filter((w) => !isOwnWorker(w));
    // The points lost, largest first: what costs most is read first.
    const deductions = health.alerts
      .map((alert) => ({ alert, points: deduction(alert) }))
      .filter((d) => d.points > 0)
      .sort((a, b) => b.points - a.points);
    const lateSchedules = scheduleList
      .filter((s) => s.enabled && s.nextFireAt !== null && s.nextFireAt < now - LATE_AFTER_MS)
      .map((s) => ({ name: s.name, queue: s.queue, nextFireAt: s.nextFireAt! }));
    const data = {
      health, deductions, stats, lastHour, lastDay, lateSchedules,
      blockedLanes: blockedLanes.filter((b) => b.blocked > 0),
      pausedQueues: queues.filter((q) => q.paused).map((q) => ({ name: q.name, waiting: q.counts.waiting + q.counts.delayed + q.counts.blocked })),
      // The workers an operator runs: each server's own maintenance worker is not one of them.
      workers: { online: yours.filter((w) => w.online).length, total: yours.length },
      refused: deps.auth.refusals.recent(now),
    };
    return page(c, deps, "Overview", <OverviewPage data={data} />);
  });
}
