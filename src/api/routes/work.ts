/** The pull-worker contract: claim with a lease, then complete, fail or heartbeat with its token. */
import { z } from "@hono/zod-openapi";
import { MAX_WORKER_CONCURRENCY, type FinishOutcome } from "../../core/work-requests.ts";
import type { CompleteItem } from "../../core/store.ts";
import { claimAsWorker, heartbeatAsWorker } from "../../workers/worker-calls.ts";
import type { App, ApiDeps } from "../env.ts";
import { claimedJson, renderJob } from "../../core/job-json.ts";
import { JsonText, jobsJson, jsonText } from "../json-text.ts";
import { jsonBody, jsonResponse, route } from "../route.ts";
import { JobId, QueueName, Timestamp } from "../schemas/common.ts";
import { NAME_RULE, QUEUE_NAME } from "../../core/job.ts";
import { ClaimedJobSchema, JobSchema, ProgressSchema } from "../schemas/job.ts";
import { iso } from "../../core/iso-time.ts";

const FailError = z.object({ message: z.string().max(10_000), type: z.string().min(1).max(200).optional(), stack: z.string().max(50_000).optional() }).strict();

/** A job the worker just ran: completed (no `error`) or failed. */
const FinishedItem = z
  .union([
    z.object({ id: z.string().min(1), token: z.string().min(1), result: z.unknown().optional() }).strict(),
    z.object({
      id: z.string().min(1), token: z.string().min(1), error: FailError,
      retry: z.boolean().optional(), retryInMs: z.number().int().min(0).max(86_400_000).optional(),
    }).strict(),
  ])
  .openapi("FinishedItem");

export const ClaimBody = z
  .object({
    workerId: z.string().min(1).max(200).openapi({ example: "mail-worker-1" }),
    finished: z.array(FinishedItem).max(1000).optional().openapi({
      description: "Jobs this worker just ran, completed (no error) or failed, finished before the new jobs are claimed: one round trip per batch. A stale token refuses that item only.",
    }),
    max: z.number().int().min(1).max(1000).optional().openapi({ description: "Jobs to lease at most (default 1)" }),
    leaseMs: z.number().int().min(1000).max(3_600_000).optional().openapi({ description: "Lease length (default 30000)" }),
    waitMs: z.number().int().min(0).max(30_000).optional().openapi({ description: "Long poll: wait up to this long for a job (≤ 30000)" }),
    name: z.string().max(200).optional().openapi({ description: "Worker identity shown in /v1/workers" }),
    host: z.string().max(255).optional(),
    queues: z.array(z.string().regex(QUEUE_NAME, `queue names are ${NAME_RULE}`)).max(100).optional(),
    concurrency: z.number().int().min(1).max(MAX_WORKER_CONCURRENCY).optional(),
  })
  .strict()
  .openapi("ClaimRequest");

const ControlSchema = z.object({ shutdown: z.boolean().optional() }).openapi("WorkerControl");

const claim = route("work", {
  method: "post",
  path: "/v1/queues/{queue}/claim",
  operationId: "claimJobs",
  tags: ["Workers"],
  summary: "Lease up to max runnable jobs",
  description: "Highest priority first, then enqueue order; at most one job per lane. With waitMs the request waits until a job arrives (an enqueue wakes it within milliseconds). Paused queues give nothing.",
  request: { params: z.object({ queue: QueueName }), body: jsonBody(ClaimBody) },
  responses: {
    200: jsonResponse(
      z.object({
        jobs: z.array(ClaimedJobSchema),
        control: ControlSchema.optional(),
        finished: z.array(z.object({ id: z.string(), outcome: z.enum(["completed", "failed", "retrying", "lease_lost"]) })).optional()
          .openapi({ description: "One outcome per item of the request's `finished`, in order" }),
      }),
      "Leased jobs (possibly none)",
    ),
  },
});

export const CompleteBody = z.object({ token: z.string().min(1), result: z.unknown().optional() }).strict().openapi("CompleteRequest");

const complete = route("work", {
  method: "post",
  path: "/v1/jobs/{id}/complete",
  operationId: "completeJob",
  tags: ["Workers"],
  summary: "Complete a leased job",
  description: "A 200 here is final: the job never runs again. A stale token (lease expired, job cancelled with force, or already finished) → 409 lease_lost.",
  request: { params: z.object({ id: JobId }), body: jsonBody(CompleteBody) },
  errors: [404, 409],
  responses: { 200: jsonResponse(JobSchema, "Completed") },
});

export const CompleteManyBody = z
  .object({ items: z.array(z.object({ id: z.string().min(1), token: z.string().min(1), result: z.unknown().optional() }).strict()).min(1).max(1000) })
  .strict()
  .openapi("CompleteManyRequest");

const completeMany = route("work", {
  method: "post",
  path: "/v1/jobs/complete",
  operationId: "completeJobs",
  tags: ["Workers"],
  summary: "Complete many leased jobs in one round trip",
  request: { body: jsonBody(CompleteManyBody) },
  responses: {
    200: jsonResponse(
      z.object({ items: z.array(z.object({ id: z.string(), outcome: z.enum(["completed", "lease_lost"]) })) }).openapi("CompleteManyResponse"),
      "One outcome per item, in order",
    ),
  },
});

export const FailBody = z
  .object({
    token: z.string().min(1),
    error: FailError,
    retry: z.boolean().optional().openapi({ description: "false: fail for good, whatever the attempts left" }),
    retryInMs: z.number().int().min(0).max(86_400_000).optional().openapi({ description: "Run again after this delay instead of the backoff" }),
  })
  .strict()
  .openapi("FailRequest");

const fail = route("work", {
  method: "post",
  path: "/v1/jobs/{id}/fail",
  operationId: "failJob",
  tags: ["Workers"],
  summary: "Fail the current attempt",
  description: "The job runs again after its backoff while attempts remain and the queue's retry policy allows the error type; otherwise it fails for good.",
  request: { params: z.object({ id: JobId }), body: jsonBody(FailBody) },
  errors: [404, 409],
  responses: { 200: jsonResponse(JobSchema, "The job after the failure (waiting/delayed to retry, or failed)") },
});

export const HeartbeatBody = z
  .object({
    token: z.string().min(1),
    extendMs: z.number().int().min(1000).max(3_600_000).optional(),
    progress: ProgressSchema.optional(),
    checkpoint: z.unknown().optional(),
  })
  .strict()
  .openapi("HeartbeatRequest");

const heartbeat = route("work", {
  method: "post",
  path: "/v1/jobs/{id}/heartbeat",
  operationId: "heartbeatJob",
  tags: ["Workers"],
  summary: "Extend a lease; report progress and save a checkpoint",
  request: { params: z.object({ id: JobId }), body: jsonBody(HeartbeatBody) },
  errors: [404, 409],
  responses: {
    200: jsonResponse(
      z.object({ leaseExpiresAt: Timestamp, cancelRequested: z.boolean(), control: ControlSchema.optional() }).openapi("HeartbeatResponse"),
      "Lease extended",
    ),
  },
});

/**
 * A claim's answer (the route's and the fast path's, src/api/work-fast-path.ts). Completions in
 * `finished` travel with the claim (one store call where the store offers it); a list with
 * failures is finished first, under the retry policy.
 */
export async function claimAnswer({ service, workers }: ApiDeps, queue: string, body: z.infer<typeof ClaimBody>, signal: AbortSignal) {
  const { workerId: id, name, host, queues, concurrency, finished, ...claim } = body;
  // Without the queues it serves named, a worker serves those it claims from (the registry keeps them).
  const identity = { id, kind: "http" as const, name, host, queues, concurrency };
  let outcomes: FinishOutcome[] | undefined;
  const completing = finished?.every((item): item is CompleteItem => !("error" in item))
    ? { items: finished, onOutcomes: (o: FinishOutcome[]) => (outcomes = o) }
    : undefined;
  if (finished && !completing) outcomes = await service.finishMany(finished);
  const { jobs, control } = await claimAsWorker({ service, registry: workers }, { ...claim, queue, identity, signal, completing });
  return new JsonText(jobsJson(jobs.map(claimedJson), { ...(control.shutdown ? { control } : {}), ...(outcomes ? { finished: outcomes } : {}) }));
}

/** A completion's answer: the completed job. */
export async function completeAnswer({ service }: ApiDeps, id: string, { token, result }: z.infer<typeof CompleteBody>) {
  return renderJob(await service.complete({ id, token, result }));
}

/** A batch completion's answer: one outcome per item. */
export async function completeManyAnswer({ service }: ApiDeps, body: z.infer<typeof CompleteManyBody>) {
  return { items: await service.completeMany(body.items) };
}

/** A failure's answer: the job after it (waiting or delayed to retry, or failed). */
export async function failAnswer({ service }: ApiDeps, id: string, body: z.infer<typeof FailBody>) {
  return renderJob(await service.fail({ id, ...body }));
}

/** A heartbeat's answer: the new lease expiry, whether the job was asked to cancel, and the worker's control. */
export async function heartbeatAnswer({ service, workers }: ApiDeps, id: string, body: z.infer<typeof HeartbeatBody>) {
  const { job, control } = await heartbeatAsWorker({ service, registry: workers }, { id, ...body });
  const answer = { leaseExpiresAt: iso(job.leaseExpiresAt!), cancelRequested: job.cancelRequested };
  return { ...answer, ...(control.shutdown ? { control } : {}) };
}

export function registerWorkRoutes(app: App, deps: ApiDeps): void {
  app.openapi(claim, async (c) => {
    const answer = await claimAnswer(deps, c.req.valid("param").queue, c.req.valid("json"), c.req.raw.signal);
    return jsonText(c, answer.text, 200);
  });

  app.openapi(complete, async (c) => c.json(await completeAnswer(deps, c.req.valid("param").id, c.req.valid("json")), 200));

  app.openapi(completeMany, async (c) => c.json(await completeManyAnswer(deps, c.req.valid("json")), 200));

  app.openapi(fail, async (c) => c.json(await failAnswer(deps, c.req.valid("param").id, c.req.valid("json")), 200));

  app.openapi(heartbeat, async (c) => c.json(await heartbeatAnswer(deps, c.req.valid("param").id, c.req.valid("json")), 200));
}
