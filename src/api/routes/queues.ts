/** Queues: counts and config, pause/resume, purge, and bulk retry/cancel. */
import { z } from "@hono/zod-openapi";
import { isoOrNull } from "../../core/iso-time.ts";
import type { QueueSettings } from "../../core/queue-config.ts";
import type { QueueWithBacklog } from "../../core/queue-service.ts";
import { queueAsSeenBy } from "../auth.ts";
import type { App, ApiDeps, Principal } from "../env.ts";
import { jsonBody, jsonResponse, route } from "../route.ts";
import { JobStateSchema, QueueName } from "../schemas/common.ts";
import { QueueSchema, QueueSettingsBody, QueueConfigSchema } from "../schemas/queue.ts";

const params = { params: z.object({ queue: QueueName }) };

const list = route("read", {
  method: "get",
  path: "/v1/queues",
  operationId: "listQueues",
  tags: ["Queues"],
  summary: "All queues with counts by state and config",
  responses: { 200: jsonResponse(z.object({ queues: z.array(QueueSchema) }), "Queues") },
});

const get = route("read", {
  method: "get",
  path: "/v1/queues/{queue}",
  operationId: "getQueue",
  tags: ["Queues"],
  summary: "One queue with counts and config (an unknown queue reads as empty)",
  request: params,
  responses: { 200: jsonResponse(QueueSchema, "The queue") },
});

const put = route("admin", {
  method: "put",
  path: "/v1/queues/{queue}",
  operationId: "configureQueue",
  tags: ["Queues"],
  summary: "Configure a queue",
  description: "Fields left out keep their current value; null clears a limit.",
  request: { ...params, body: jsonBody(QueueSettingsBody) },
  responses: { 200: jsonResponse(QueueConfigSchema, "The queue's config") },
});

const action = (path: string, operationId: string, summary: string, response: z.ZodTypeAny) =>
  route("admin", {
    method: "post",
    path: `/v1/queues/{queue}/${path}`,
    operationId,
    tags: ["Queues"],
    summary,
    request: params,
    errors: [409],
    responses: { 200: jsonResponse(response, "Done") },
  });

const Count = (field: string) => z.object({ [field]: z.number().int() });

const pause = action("pause", "pauseQueue", "Pause: claims return nothing until resumed", QueueConfigSchema);
const resume = action("resume", "resumeQueue", "Resume a paused queue", QueueConfigSchema);
const purge = route("admin", {
  method: "post",
  path: "/v1/queues/{queue}/purge",
  operationId: "purgeQueue",
  tags: ["Queues"],
  summary: "Delete the queue's jobs in one state (not active)",
  request: { ...params, query: z.object({ state: JobStateSchema }) },
  errors: [409],
  responses: { 200: jsonResponse(Count("deleted"), "Done") },
});
const retryFailed = route("admin", {
  method: "post",
  path: "/v1/queues/{queue}/retry-failed",
  operationId: "retryFailedJobs",
  tags: ["Queues"],
  summary: "Run the queue's failed jobs again (all, or those whose last error has one type)",
  request: {
    ...params,
    query: z.object({
      errorType: z.string().min(1).max(255).optional().openapi({ description: "Only failed jobs whose last error has this type" }),
    }),
  },
  errors: [409],
  responses: { 200: jsonResponse(Count("retried"), "Done") },
});
const cancelWaiting = action("cancel-waiting", "cancelWaitingJobs", "Cancel every waiting, delayed and blocked job of the queue", Count("cancelled"));

/** A queue as the API answers it to `principal`: its backlog's age as a time, the target's secrets hidden from non-admins. */
function queueJson(principal: Principal | undefined, { oldestWaiting, ...queue }: QueueWithBacklog) {
  return { ...queueAsSeenBy(principal, queue), oldestWaitingSince: isoOrNull(oldestWaiting) };
}

export function registerQueueRoutes(app: App, { service }: ApiDeps): void {
  app.openapi(list, async (c) => {
    const queues = await service.listQueuesWithBacklog();
    return c.json({ queues: queues.map((q) => queueJson(c.get("principal"), q)) } as never, 200);
  });
  app.openapi(get, async (c) => c.json(queueJson(c.get("principal"), await service.getQueueWithBacklog(c.req.valid("param").queue)) as never, 200));
  app.openapi(put, async (c) => {
    return c.json((await service.putQueue(c.req.valid("param").queue, c.req.valid("json") as Partial<QueueSettings>)) as never, 200);
  });
  app.openapi(pause, async (c) => c.json((await service.pauseQueue(c.req.valid("param").queue, true)) as never, 200));
  app.openapi(resume, async (c) => c.json((await service.pauseQueue(c.req.valid("param").queue, false)) as never, 200));
  app.openapi(purge, async (c) => {
    const state = c.req.valid("query").state as Parameters<typeof service.purgeQueue>[1];
    return c.json({ deleted: await service.purgeQueue(c.req.valid("param").queue, state) }, 200);
  });
  app.openapi(retryFailed, async (c) => {
    const { errorType } = c.req.valid("query");
    return c.json({ retried: await service.retryFailed(c.req.valid("param").queue, { errorType }) }, 200);
  });
  app.openapi(cancelWaiting, async (c) => c.json({ cancelled: await service.cancelWaiting(c.req.valid("param").queue) }, 200));
}
