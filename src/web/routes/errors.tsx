/** @jsxImportSource hono/jsx */
/**
 * /errors: failures grouped by queue and error type (Monitor.errorGroups, as /v1/errors), one
 * group's failed attempts paged by cursor, and retrying a group's failed jobs in bounded batches.
 */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { SpoolError, validationFailed } from "../../core/errors.ts";
import type { Job } from "../../core/job.ts";
import { ERROR_WINDOW_MAX_MS } from "../../monitor/error-groups.ts";
import { BULK_BATCH } from "../../../views/components/bulk-actions.tsx";
import { GroupRetryProgress } from "../../../views/components/error-retry.tsx";
import { ErrorGroupPage } from "../../../views/pages/error-group.tsx";
import { ErrorsPage } from "../../../views/pages/errors.tsx";
import { allow } from "../../api/auth.ts";
import { formOf, fragment, page, type WebContext } from "../render.tsx";

const FAILURES_PAGE = 50;

/**
 * The window's start from `?since=` (ISO 8601): an old bookmark (an alert's link) is brought
 * within the seven days the aggregates answer for, a future time to now; no `since` is the last day.
 */
function sinceOf(c: WebContext, now: number): number | undefined {
  const text = c.req.query("since");
  if (!text) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw validationFailed(`since must be an ISO 8601 time like 2026-01-01T09:00:00Z (got "${text}")`, [{ path: "since", message: "is not a time" }]);
  return Math.min(now, Math.max(ms, now - ERROR_WINDOW_MAX_MS));
}

const count = (raw: string | undefined) => {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
};

export function registerErrors(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { monitor, service, clock } = deps;

  web.get("/errors", async (c) => {
    const queue = c.req.query("queue")?.trim() || undefined;
    const [data, queues] = await Promise.all([monitor.errorGroups({ since: sinceOf(c, clock.now()), queue }), service.listQueues()]);
    return page(c, deps, "Errors", <ErrorsPage data={data} queue={queue ?? null} queues={queues.map((q) => q.name)} />);
  });

  web.get("/errors/:queue/:type", async (c) => {
    const { queue, type } = c.req.param();
    const cursor = c.req.query("cursor") || undefined;
    const [groups, summary, page1] = await Promise.all([
      monitor.errorGroups({ since: sinceOf(c, clock.now()), queue }),
      service.getQueue(queue),
      monitor.errorFailures({ queue, type, cursor, limit: FAILURES_PAGE }),
    ]);
    const jobs = await Promise.all(page1.failures.map((f) => service.getJob(f.jobId).catch((err): Job | null => {
      if (err instanceof SpoolError && err.status === 404) return null;
      throw err;
    })));
    const data = {
      queue, type, since: groups.since,
      group: groups.groups.find((g) => g.type === type) ?? null,
      failedNow: summary.counts.failed,
      rows: page1.failures.map((failure, i) => ({ failure, job: jobs[i]! })),
      cursor: cursor ?? null,
      nextCursor: page1.nextCursor,
    };
    return page(c, deps, `${type} in ${queue}`, <ErrorGroupPage data={data} />);
  });

  // One batch per request; the answer asks for the next one until a batch comes back short.
  web.post("/errors/:queue/:type/retry", allow("admin"), async (c) => {
    const { queue, type } = c.req.param();
    const form = await formOf(c);
    const retried = await service.retryFailed(queue, { errorType: type, limit: BULK_BATCH });
    const done = count(form.done) + retried;
    const finished = retried < BULK_BATCH;
    const body = <GroupRetryProgress queue={queue} type={type} done={done} total={count(form.total)} finished={finished} />;
    if (!c.req.header("hx-request")) {
      if (finished) return c.redirect(`/errors/${encodeURIComponent(queue)}/${encodeURIComponent(type)}`, 303);
      return page(c, deps, "Retrying", body);
    }
    return fragment(c, deps, body, 200, finished ? { "HX-Trigger": "spool:changed" } : {});
  });
}
