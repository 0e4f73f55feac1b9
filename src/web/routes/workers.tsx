/** @jsxImportSource hono/jsx */
/** /workers: the worker cards and asking a worker to shut down, through the registry behind /v1/workers. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import type { WorkerView } from "../../workers/worker-registry.ts";
import { WorkersPage } from "../../../views/pages/workers.tsx";
import { allow } from "../../api/auth.ts";
import { act, page } from "../render.tsx";
import { isOwnWorker } from "../../../views/components/queue-badges.tsx";

export function registerWorkers(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { workers, service } = deps;

  web.get("/workers", async (c) => {
    const queue = c.req.query("queue") || null;
    const [all, summaries] = await Promise.all([workers.list(), service.listQueues()]);
    // A server's maintenance worker from before its restart is gone for good: only the running one is shown.
    const shown = all.filter((w) => (queue === null || w.queues.includes(queue)) && (w.online || !isOwnWorker(w))).sort(onlineFirst);
    const queues = [...new Set([...summaries.map((s) => s.name), ...all.flatMap((w) => w.queues)])].sort();
    return page(c, deps, "Workers", <WorkersPage data={{ workers: shown, queues, queue }} />);
  });

  web.post("/workers/:id/shutdown", allow("admin"), (c) =>
    act(c, deps, async () => {
      const worker = await workers.requestShutdown(c.req.param("id"));
      return `Asked ${worker.name ?? worker.id} to shut down; it is told in its next claim or heartbeat answer.`;
    }),
  );
}

/** Online workers first, then the most recently seen. */
function onlineFirst(a: WorkerView, b: WorkerView): number {
  return Number(b.online) - Number(a.online) || b.lastSeenAt - a.lastSeenAt;
}
