/** @jsxImportSource hono/jsx */
/**
 * Bulk actions on a queue's jobs — retry failed (optionally one error type), cancel waiting, clean
 * completed, purge a state: a preview of how many jobs each touches (from the counters), then the
 * run, one bounded batch per request, each answer showing progress and asking for the next batch.
 */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { notFound, validationFailed } from "../../core/errors.ts";
import type { JobState } from "../../core/job.ts";
import type { QueueSummary } from "../../core/store.ts";
import { BULK_BATCH, BulkPreview, BulkProgress, type BulkKind, type BulkPlan } from "../../../views/components/bulk-actions.tsx";
import { queuePath } from "../../../views/components/queue-badges.tsx";
import { PageHead } from "../../../views/layout.tsx";
import { allow } from "../../api/auth.ts";
import { act, formOf, fragment, page } from "../render.tsx";


const KINDS: readonly BulkKind[] = ["retry-failed", "cancel-waiting", "clean-completed", "purge"];
const PURGEABLE: readonly JobState[] = ["waiting", "delayed", "blocked", "completed", "failed", "cancelled"];

type BulkInput = { errorType?: string; state?: string };

/** What an action will do to a queue, and to how many jobs by the counters now. */
export function bulkPlan(kind: BulkKind, queue: QueueSummary, input: BulkInput): BulkPlan {
  const { counts, name } = queue;
  const api = `/v1/queues/${encodeURIComponent(name)}`;
  const base = { queue: name, kind, upTo: false, fields: {}, batch: BULK_BATCH };
  switch (kind) {
    case "retry-failed": {
      const errorType = input.errorType || undefined;
      return {
        ...base,
        what: errorType ? `retry the failed jobs whose last error is ${errorType}` : "retry the failed jobs",
        total: counts.failed,
        upTo: errorType !== undefined,
        done: "Retried",
        fields: errorType ? { errorType } : {},
        api: { method: "POST", path: `${api}/retry-failed${errorType ? `?errorType=${encodeURIComponent(errorType)}` : ""}` },
      };
    }
    case "cancel-waiting":
      return { ...base, what: "cancel the waiting, delayed and blocked jobs", total: counts.waiting + counts.delayed + counts.blocked, done: "Cancelled", api: { method: "POST", path: `${api}/cancel-waiting` } };
    case "clean-completed":
      return { ...base, what: "delete the completed jobs", total: counts.completed, done: "Deleted", api: { method: "POST", path: `${api}/purge?state=completed` } };
    case "purge": {
      const state = input.state as JobState;
      if (!PURGEABLE.includes(state)) throw validationFailed(`pick a state to purge: one of ${PURGEABLE.join(", ")}`);
      return { ...base, what: `delete the ${state} jobs`, total: counts[state], done: "Deleted", fields: { state }, api: { method: "POST", path: `${api}/purge?state=${state}` } };
    }
  }
}

/** One batch of the action; returns how many jobs it touched. */
function runBatch(deps: ApiDeps, plan: BulkPlan, limit: number): Promise<number> {
  const { service } = deps;
  switch (plan.kind) {
    case "retry-failed":
      return service.retryFailed(plan.queue, { errorType: plan.fields.errorType, limit });
    case "cancel-waiting":
      return service.cancelWaiting(plan.queue, { limit });
    case "clean-completed":
      return service.purgeQueue(plan.queue, "completed", { limit });
    case "purge":
      return service.purgeQueue(plan.queue, plan.fields.state as JobState, { limit });
  }
}

const wholeNumber = (text: string | undefined): number | null => (text !== undefined && /^\d{1,12}$/.test(text) ? Number(text) : null);

export function registerQueueBulk(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { service } = deps;
  const kindOf = (name: string): BulkKind => {
    if (!KINDS.includes(name as BulkKind)) throw notFound(`bulk action ${name}`);
    return name as BulkKind;
  };

  web.get("/queues/:queue/bulk/:kind", async (c) => {
    const queue = await service.getQueue(c.req.param("queue"));
    const plan = bulkPlan(kindOf(c.req.param("kind")), queue, { errorType: c.req.query("errorType"), state: c.req.query("state") });
    if (c.req.header("hx-request")) return fragment(c, deps, <BulkPreview plan={plan} />);
    const crumbs: [string, string][] = [["/queues", "Queues"], [queuePath(queue.name), queue.name]];
    return page(c, deps, `Bulk action on ${queue.name}`, <><PageHead title="Before it runs" crumbs={crumbs} /><div id="bulk-work"><BulkPreview plan={plan} /></div></>);
  });

  for (const kind of KINDS) {
    web.post(`/queues/:queue/${kind}`, allow("admin"), (c) =>
      act(c, deps, async () => {
        const form = await formOf(c);
        const plan = bulkPlan(kind, await service.getQueue(c.req.param("queue")), form);
        // The previewed count bounds the run, so jobs arriving meanwhile (or failing again) do not keep it going.
        const total = wholeNumber(form.total) ?? plan.total;
        const before = wholeNumber(form.done) ?? 0;
        const limit = Math.min(BULK_BATCH, total - before);
        const n = limit > 0 ? await runBatch(deps, plan, limit) : 0;
        const done = before + n;
        return <BulkProgress plan={{ ...plan, total }} done={done} finished={n < limit || done >= total} />;
      }),
    );
  }
}
