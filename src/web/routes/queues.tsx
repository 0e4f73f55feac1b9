/** @jsxImportSource hono/jsx */
/** /queues and /queues/{queue}: the queue list and one queue's jobs, gathered through the services behind /v1/queues, /v1/jobs and /v1/stats; pause and resume. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import type { JobState } from "../../core/job.ts";
import { DAY_MS, HOUR_MS } from "../../monitor/stats.ts";
import type { FieldErrors } from "../../../views/components/queue-form-field.tsx";
import type { EnqueueValues } from "../../../views/components/queue-enqueue-form.tsx";
import { QueuePage, type JobFilter, type QueuePageData } from "../../../views/pages/queue.tsx";
import { QueuesPage } from "../../../views/pages/queues.tsx";
import { allow, may, queueAsSeenBy } from "../../api/auth.ts";
import { act, page, type WebContext } from "../render.tsx";
import { registerQueueBulk } from "./queue-bulk.tsx";
import { registerQueueEnqueue } from "./queue-enqueue.tsx";
import { registerQueueSettings } from "./queue-settings.tsx";

/** Jobs per page of a queue's list. */
const PAGE_SIZE = 25;
/** How far back the error types offered for "retry failed" reach. */
const ERROR_TYPES_SINCE_MS = 7 * DAY_MS;

/** Everything the queue page shows for a filter, read through the services. */
export async function queuePageData(c: WebContext, deps: ApiDeps, queue: string, filter: JobFilter): Promise<QueuePageData> {
  const { service, monitor, clock } = deps;
  const admin = may(c.get("principal"), "admin");
  const [summary, list, stats, lastHour, lastDay, errors] = await Promise.all([
    service.getQueueWithBacklog(queue),
    service.listJobs({ queue, state: filter.state as JobState | undefined, key: filter.key, q: filter.q, cursor: filter.cursor, limit: PAGE_SIZE }),
    monitor.stats(),
    monitor.series({ windowMs: HOUR_MS, stepMs: 60_000, queue }),
    monitor.series({ windowMs: DAY_MS, stepMs: HOUR_MS, queue }),
    admin ? monitor.errorGroups({ queue, since: clock.now() - ERROR_TYPES_SINCE_MS }) : null,
  ]);
  return {
    queue: summary,
    filter,
    jobs: list.jobs,
    nextCursor: list.nextCursor,
    pageSize: PAGE_SIZE,
    lastHourStats: stats.queues.find((q) => q.queue === queue)?.lastHour ?? null,
    lastHour,
    lastDay,
    errorTypes: [...new Set((errors?.groups ?? []).map((g) => g.type))].sort(),
    known: stats.queues.some((q) => q.queue === queue),
    oldestWaiting: summary.oldestWaiting,
  };
}

/** The queue page, optionally with a refused enqueue shown in its form. */
export async function renderQueuePage(c: WebContext, deps: ApiDeps, queue: string, enqueue?: { values: EnqueueValues; errors: FieldErrors }, status = 200) {
  const query = (name: string) => c.req.query(name) || undefined;
  const data = await queuePageData(c, deps, queue, { state: query("state"), key: query("key"), q: query("q"), cursor: query("cursor") });
  return page(c, deps, queue, <QueuePage data={{ ...data, enqueue }} />, status);
}

export function registerQueues(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { service, monitor } = deps;

  web.get("/queues", async (c) => {
    const [queues, stats, workerList] = await Promise.all([service.listQueuesWithBacklog(), monitor.stats(), deps.workers.list()]);
    const online = workerList.filter((w) => w.online);
    const items = queues.map((queue) => ({
      // The push target's URL shows in the list: its credentials only to those who may change it.
      queue: queueAsSeenBy(c.get("principal"), queue),
      stats: stats.queues.find((s) => s.queue === queue.name) ?? null,
      workersOnline: online.filter((w) => w.queues.includes(queue.name)).length,
      oldestWaiting: queue.oldestWaiting,
    }));
    return page(c, deps, "Queues", <QueuesPage items={items} />);
  });

  web.get("/queues/:queue", (c) => renderQueuePage(c, deps, c.req.param("queue")));

  for (const [path, paused] of [["pause", true], ["resume", false]] as const) {
    web.post(`/queues/:queue/${path}`, allow("admin"), (c) =>
      act(c, deps, async () => {
        const config = await service.pauseQueue(c.req.param("queue"), paused);
        return paused ? `Paused ${config.name}: workers get no jobs from it until it is resumed.` : `Resumed ${config.name}: workers may claim its jobs again.`;
      }),
    );
  }

  registerQueueBulk(web, deps);
  registerQueueEnqueue(web, deps);
  registerQueueSettings(web, deps);
}
