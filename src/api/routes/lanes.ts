/** Lanes: a queue's blocked and busy lanes, and retrying or skipping the failed head of a blocked one. */
import { z } from "@hono/zod-openapi";
import { conflict } from "../../core/errors.ts";
import type { App, ApiDeps } from "../env.ts";
import { renderJob } from "../../core/job-json.ts";
import { renderLane } from "../render-monitor.ts";
import { jsonBody, jsonResponse, route } from "../route.ts";
import { QueueName } from "../schemas/common.ts";
import { JobSchema } from "../schemas/job.ts";
import { LaneSchema } from "../schemas/monitor.ts";

const QueueQuery = QueueName.openapi({ param: { name: "queue", in: "query" } });

const list = route("read", {
  method: "get",
  path: "/v1/lanes",
  operationId: "listLanes",
  tags: ["Lanes"],
  summary: "A queue's lanes that are blocked or busy: key, head job, last error, since, depth",
  request: { query: z.object({ queue: QueueQuery, limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
  responses: { 200: jsonResponse(z.object({ lanes: z.array(LaneSchema) }), "Blocked lanes first, then busy ones, oldest first") },
});

const LaneBody = z.object({ queue: QueueName, key: z.string().min(1).max(255) }).strict().openapi("LaneRef");

const retry = route("admin", {
  method: "post",
  path: "/v1/lanes/retry",
  operationId: "retryLaneHead",
  tags: ["Lanes"],
  summary: "Run the failed head of a blocked lane again; the lane waits for it",
  request: { body: jsonBody(LaneBody) },
  errors: [409],
  responses: { 200: jsonResponse(JobSchema, "The head job, waiting again") },
});

const skip = route("admin", {
  method: "post",
  path: "/v1/lanes/skip",
  operationId: "skipLaneHead",
  tags: ["Lanes"],
  summary: "Skip the failed head of a blocked lane: it stays failed and the lane moves on",
  request: { body: jsonBody(LaneBody) },
  errors: [409],
  responses: { 200: jsonResponse(z.object({ queue: z.string(), key: z.string(), skipped: z.literal(true) }), "Skipped") },
});

export function registerLaneRoutes(app: App, { store, service, clock }: ApiDeps): void {
  app.openapi(list, async (c) => {
    const { queue, limit } = c.req.valid("query");
    return c.json({ lanes: (await store.lanesList({ queue, limit, now: clock.now() })).map(renderLane) } as never, 200);
  });
  app.openapi(retry, async (c) => {
    const { queue, key } = c.req.valid("json");
    const [lane] = await store.lanesList({ queue, key, limit: 1, now: clock.now() });
    if (!lane || lane.status !== "blocked") throw conflict(`lane "${key}" of queue ${queue} is not blocked by a failed job`);
    return c.json(renderJob(await service.retry(lane.headJobId)) as never, 200);
  });
  app.openapi(skip, async (c) => {
    const { queue, key } = c.req.valid("json");
    await service.skipLaneHead(queue, key);
    return c.json({ queue, key, skipped: true as const }, 200);
  });
}
