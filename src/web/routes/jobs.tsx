/** @jsxImportSource hono/jsx */
/** /jobs/{id}: one job with its timeline, and retrying, cancelling or deleting it, through the calls behind /v1/jobs. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { validationFailed } from "../../core/errors.ts";
import { fireOfKey } from "../../scheduler/fire-plan.ts";
import { JobPage } from "../../../views/pages/job.tsx";
import { allow, queueAsSeenBy } from "../../api/auth.ts";
import { act, formOf, MovedTo, page } from "../render.tsx";

/** Events of one job shown on its page; a job retried many times shows its newest ones. */
const TIMELINE_LIMIT = 200;

export function registerJobs(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { service, monitor } = deps;

  web.get("/jobs/:id", async (c) => {
    const job = await service.getJob(c.req.param("id"));
    const [timeline, queue] = await Promise.all([monitor.jobTimeline(job.id, TIMELINE_LIMIT), service.getQueue(job.queue)]);
    // A job of a queue with a push target is delivered by spool: where to, and how long it waits.
    const target = queueAsSeenBy(c.get("principal"), queue).target;
    const data = { job, timeline, timelineLimit: TIMELINE_LIMIT, schedule: fireOfKey(job.idempotencyKey), target };
    return page(c, deps, `Job ${job.id}`, <JobPage data={data} />);
  });

  web.post("/jobs/:id/retry", allow("admin"), (c) =>
    act(c, deps, async () => {
      const mode = (await formOf(c)).mode ?? "resume";
      if (mode !== "resume" && mode !== "restart") throw validationFailed(`mode must be resume or restart (got "${mode}")`);
      const job = await service.retry(c.req.param("id"), mode === "restart");
      if (mode === "restart") return `Job ${job.id} restarts from scratch (${job.state}).`;
      return job.checkpoint == null ? `Job ${job.id} runs again (${job.state}).` : `Job ${job.id} runs again from its checkpoint (${job.state}).`;
    }),
  );

  web.post("/jobs/:id/cancel", allow("admin"), (c) =>
    act(c, deps, async () => {
      const force = (await formOf(c)).force === "true";
      const job = await service.cancel(c.req.param("id"), force);
      return job.state === "cancelled" ? `Job ${job.id} is cancelled.` : `Job ${job.id} was asked to stop; its worker sees it in its next heartbeat.`;
    }),
  );

  // The page of a deleted job is gone: the browser goes on to its queue's page.
  web.post("/jobs/:id/delete", allow("admin"), (c) =>
    act(c, deps, async () => {
      const job = await service.getJob(c.req.param("id"));
      await service.deleteJob(job.id);
      return new MovedTo(`/queues/${encodeURIComponent(job.queue)}`, `Deleted job ${job.id}.`);
    }),
  );
}
