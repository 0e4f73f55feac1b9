/** Workers: the registry of every pull, in-process and push worker, and asking one to shut down. */
import { z } from "@hono/zod-openapi";
import type { WorkerView } from "../../workers/worker-registry.ts";
import type { App, ApiDeps } from "../env.ts";
import { jsonResponse, route } from "../route.ts";
import { WorkerId, WorkerSchema } from "../schemas/worker.ts";

import { iso } from "../../core/iso-time.ts";

function renderWorker(w: WorkerView) {
  return {
    ...w,
    firstSeenAt: iso(w.firstSeenAt),
    lastSeenAt: iso(w.lastSeenAt),
    shutdownRequestedAt: w.shutdownRequestedAt === null ? null : iso(w.shutdownRequestedAt),
  };
}

const list = route("read", {
  method: "get",
  path: "/v1/workers",
  operationId: "listWorkers",
  tags: ["Workers"],
  summary: "Every worker seen in the last 24 h: identity, load, counts, last seen, online",
  responses: { 200: jsonResponse(z.object({ workers: z.array(WorkerSchema) }), "Workers") },
});

const shutdown = route("admin", {
  method: "post",
  path: "/v1/workers/{id}/shutdown",
  operationId: "shutDownWorker",
  tags: ["Workers"],
  summary: "Ask a worker to shut down",
  description:
    "The worker receives `control: {shutdown: true}` in its next claim or heartbeat answer, gets no more jobs, and is expected to finish what it holds and exit. The request is dropped once the worker has been offline for 30 s, so a restarted worker runs normally.",
  request: { params: z.object({ id: WorkerId }) },
  errors: [404],
  responses: { 200: jsonResponse(WorkerSchema, "The worker, with shutdownRequestedAt set") },
});

export function registerWorkerRoutes(app: App, { workers }: ApiDeps): void {
  app.openapi(list, async (c) => c.json({ workers: (await workers.list()).map(renderWorker) }, 200));
  app.openapi(shutdown, async (c) => c.json(renderWorker(await workers.requestShutdown(c.req.valid("param").id)), 200));
}
