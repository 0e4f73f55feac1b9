/** @jsxImportSource hono/jsx */
/** /lanes: blocked and busy lanes of one queue or all, and retrying or skipping a blocked lane's head, through the calls behind /v1/lanes. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { conflict, validationFailed } from "../../core/errors.ts";
import type { LaneView } from "../../core/monitor-store.ts";
import { LanesPage } from "../../../views/pages/lanes.tsx";
import { allow } from "../../api/auth.ts";
import { act, formOf, page, type WebContext } from "../render.tsx";

/** Lanes read per queue, and queues read when looking across all: the page's work stays bounded. */
const PER_QUEUE = 100;
const MAX_QUEUES = 20;

export function registerLanes(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { service, monitor } = deps;

  web.get("/lanes", async (c) => {
    const queue = c.req.query("queue") || null;
    const key = c.req.query("key") || null;
    const summaries = await service.listQueues();
    let toRead = queue === null ? [] : [queue];
    let queuesLeft = 0;
    if (queue === null) {
      // Queues with blocked lanes first; busy lanes can only be in queues with unfinished jobs.
      const blocked = (await monitor.blockedLanes()).map((b) => b.queue);
      const unfinished = summaries
        .filter((s) => !blocked.includes(s.name) && s.counts.waiting + s.counts.delayed + s.counts.blocked + s.counts.active > 0)
        .map((s) => s.name);
      const candidates = [...blocked, ...unfinished];
      toRead = candidates.slice(0, MAX_QUEUES);
      queuesLeft = candidates.length - toRead.length;
    }
    const lists = await Promise.all(toRead.map((name) => monitor.lanes({ queue: name, key: key ?? undefined, limit: PER_QUEUE })));
    const lanes = lists.flat().sort(blockedFirst);
    const data = {
      filter: { queue, key },
      queues: summaries.map((s) => s.name),
      lanes,
      queuesLeft,
      perQueue: PER_QUEUE,
      cutQueues: toRead.filter((_, i) => lists[i]!.length === PER_QUEUE),
    };
    return page(c, deps, "Lanes", <LanesPage data={data} />);
  });

  web.post("/lanes/retry", allow("admin"), (c) =>
    act(c, deps, async () => {
      const { queue, key } = await laneOf(c);
      const [lane] = await monitor.lanes({ queue, key, limit: 1 });
      if (!lane || lane.status !== "blocked") throw conflict(`lane "${key}" of queue ${queue} is not blocked by a failed job`);
      const job = await service.retry(lane.headJobId);
      return `Job ${job.id}, the head of lane “${key}”, runs again; the lane waits for it.`;
    }),
  );

  web.post("/lanes/skip", allow("admin"), (c) =>
    act(c, deps, async () => {
      const { queue, key } = await laneOf(c);
      await service.skipLaneHead(queue, key);
      return `Skipped the failed head of lane “${key}” in ${queue}; the next job runs.`;
    }),
  );
}

async function laneOf(c: WebContext): Promise<{ queue: string; key: string }> {
  const { queue, key } = await formOf(c);
  if (!queue || !key) throw validationFailed("a lane is named by its queue and key");
  return { queue, key };
}

function blockedFirst(a: LaneView, b: LaneView): number {
  return (a.status === "blocked" ? 0 : 1) - (b.status === "blocked" ? 0 : 1) || a.since - b.since;
}
