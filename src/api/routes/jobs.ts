/** Jobs: enqueue (one or a batch), list, read, cancel, retry, delete. */
import { z } from "@hono/zod-openapi";
import { validationFailed } from "../../core/errors.ts";
import type { EnqueueOptions } from "../../core/job.ts";
import type { App, ApiDeps } from "../env.ts";
import { jobJson, renderJob } from "../../core/job-json.ts";
import { jobsJson, jsonText } from "../json-text.ts";
import { parseTime } from "../parse-time.ts";
import { jsonBody, jsonResponse, optionalJsonBody, route } from "../route.ts";
import { JobId, QueueName } from "../schemas/common.ts";
import { EnqueueBody, JobListQuery, JobSchema } from "../schemas/job.ts";

type EnqueueInput = z.infer<typeof EnqueueBody>;

function toOptions(body: EnqueueInput, idempotencyHeader?: string): EnqueueOptions {
  const { runAt, ...rest } = body;
  // Two different keys for one job: which one was meant cannot be told, so neither is taken.
  if (body.idempotencyKey !== undefined && idempotencyHeader !== undefined && body.idempotencyKey !== idempotencyHeader) {
    throw validationFailed("the Idempotency-Key header and the body's idempotencyKey differ; send one, or the same in both", [
      { path: "idempotencyKey", message: "differs from the Idempotency-Key header" },
    ]);
  }
  return { ...rest, runAt: parseTime(runAt, "runAt"), idempotencyKey: body.idempotencyKey ?? idempotencyHeader };
}

const enqueue = route("enqueue", {
  method: "post",
  path: "/v1/queues/{queue}/jobs",
  operationId: "enqueueJob",
  tags: ["Jobs"],
  summary: "Enqueue a job",
  description: "201 with the new job; 200 with the existing job when (queue, idempotencyKey) was already used. The Idempotency-Key header sets idempotencyKey too.",
  request: {
    params: z.object({ queue: QueueName }),
    headers: z.object({ "idempotency-key": z.string().min(1).max(255).optional() }),
    body: jsonBody(EnqueueBody),
  },
  responses: {
    201: jsonResponse(JobSchema, "Enqueued"),
    200: jsonResponse(JobSchema, "Idempotency hit: the existing job"),
  },
});

const EnqueueBatchBody = z.object({ jobs: z.array(EnqueueBody).min(1).max(1000) }).strict().openapi("EnqueueBatchRequest");

const enqueueBatch = route("enqueue", {
  method: "post",
  path: "/v1/queues/{queue}/jobs/batch",
  operationId: "enqueueJobs",
  tags: ["Jobs"],
  summary: "Enqueue up to 1000 jobs, all or nothing",
  request: { params: z.object({ queue: QueueName }), body: jsonBody(EnqueueBatchBody) },
  responses: { 201: jsonResponse(z.object({ jobs: z.array(JobSchema) }), "All jobs enqueued (idempotency hits return the existing job)") },
});

const list = route("read", {
  method: "get",
  path: "/v1/jobs",
  operationId: "listJobs",
  tags: ["Jobs"],
  summary: "List jobs, newest first",
  request: { query: JobListQuery },
  responses: { 200: jsonResponse(z.object({ jobs: z.array(JobSchema), nextCursor: z.string().nullable() }), "A page of jobs") },
});

const get = route("read", {
  method: "get",
  path: "/v1/jobs/{id}",
  operationId: "getJob",
  tags: ["Jobs"],
  summary: "Get one job with its errors, progress, checkpoint and result",
  request: { params: z.object({ id: JobId }) },
  errors: [404],
  responses: { 200: jsonResponse(JobSchema, "The job") },
});

const cancel = route("admin", {
  method: "post",
  path: "/v1/jobs/{id}/cancel",
  operationId: "cancelJob",
  tags: ["Jobs"],
  summary: "Cancel a job",
  description: "A job that is not active is cancelled at once. An active job gets cancelRequested (its worker sees it on its next heartbeat); force=true ends it at once and its worker's later complete is refused.",
  request: { params: z.object({ id: JobId }), query: z.object({ force: z.enum(["true", "false"]).optional() }) },
  errors: [404, 409],
  responses: { 200: jsonResponse(JobSchema, "The job after cancelling") },
});

const RetryBody = z.object({ resetCheckpoint: z.boolean().optional() }).strict().openapi("RetryRequest");

const retry = route("admin", {
  method: "post",
  path: "/v1/jobs/{id}/retry",
  operationId: "retryJob",
  tags: ["Jobs"],
  summary: "Run a failed or cancelled job again",
  description: "Resumes from the job's checkpoint, or from scratch with resetCheckpoint: true.",
  request: { params: z.object({ id: JobId }), body: optionalJsonBody(RetryBody) },
  errors: [404, 409],
  responses: { 200: jsonResponse(JobSchema, "The job, runnable again") },
});

const remove = route("admin", {
  method: "delete",
  path: "/v1/jobs/{id}",
  operationId: "deleteJob",
  tags: ["Jobs"],
  summary: "Delete a finished job",
  request: { params: z.object({ id: JobId }) },
  errors: [404, 409],
  responses: { 204: { description: "Deleted" } },
});

export function registerJobRoutes(app: App, { service }: ApiDeps): void {
  app.openapi(enqueue, async (c) => {
    const { queue } = c.req.valid("param");
    const headers = c.req.valid("header");
    const { job, created } = await service.enqueue(queue, toOptions(c.req.valid("json"), headers["idempotency-key"]));
    return jsonText(c, jobJson(job), created ? 201 : 200);
  });

  app.openapi(enqueueBatch, async (c) => {
    const { queue } = c.req.valid("param");
    const outcomes = await service.enqueueMany(queue, c.req.valid("json").jobs.map((j) => toOptions(j)));
    return jsonText(c, jobsJson(outcomes.map((o) => jobJson(o.job))), 201);
  });

  app.openapi(list, async (c) => {
    const query = c.req.valid("query");
    const page = await service.listJobs(query as Parameters<typeof service.listJobs>[0]);
    return jsonText(c, jobsJson(page.jobs.map(jobJson), { nextCursor: page.nextCursor }), 200);
  });

  app.openapi(get, async (c) => jsonText(c, jobJson(await service.getJob(c.req.valid("param").id)), 200));

  app.openapi(cancel, async (c) => {
    const job = await service.cancel(c.req.valid("param").id, c.req.valid("query").force === "true");
    return c.json(renderJob(job), 200);
  });

  app.openapi(retry, async (c) => {
    const body = c.req.valid("json") as z.infer<typeof RetryBody>;
    return c.json(renderJob(await service.retry(c.req.valid("param").id, body.resetCheckpoint ?? false)), 200);
  });

  app.openapi(remove, async (c) => {
    await service.deleteJob(c.req.valid("param").id);
    return c.body(null, 204);
  });
}
