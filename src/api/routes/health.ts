/** Health: score, status, checks (store, disk) and firing alerts. */
import type { App, ApiDeps } from "../env.ts";
import { renderHealth } from "../render-monitor.ts";
import { jsonResponse, route } from "../route.ts";
import { HealthSchema } from "../schemas/monitor.ts";

const health = route("read", {
  method: "get",
  path: "/v1/health",
  operationId: "getHealth",
  tags: ["Monitoring"],
  summary: "Health score 0–100, status, checks and firing alerts",
  description:
    "The score starts at 100 and loses, per firing alert: worker_down 30, queue_backlog 20, failure_rate 10 (warning) or 20 (critical), disk_space 10/20, stalled_jobs 10. 80–100 healthy, 50–79 degraded, 0–49 unhealthy. Alerts are evaluated every 30 s by the spool:health schedule; an unreachable store reads as unhealthy at once.",
  responses: { 200: jsonResponse(HealthSchema, "Health") },
});

export function registerHealthRoutes(app: App, { monitor }: ApiDeps): void {
  app.openapi(health, async (c) => c.json(renderHealth(await monitor.health()) as never, 200));
}
