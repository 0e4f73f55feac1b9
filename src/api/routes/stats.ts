/** Stats: counts by state, throughput, failure rate, run and wait times, per queue and in total. */
import type { App, ApiDeps } from "../env.ts";
import { renderStats } from "../render-monitor.ts";
import { jsonResponse, route } from "../route.ts";
import { StatsSchema } from "../schemas/monitor.ts";

const stats = route("read", {
  method: "get",
  path: "/v1/stats",
  operationId: "getStats",
  tags: ["Monitoring"],
  summary: "Counts now, and the last hour's and day's throughput, failure rate and timings, per queue and in total",
  description: "Counts come from counters the store keeps; the rest from per-minute aggregates, which outlive job retention.",
  responses: { 200: jsonResponse(StatsSchema, "Stats") },
});

export function registerStatsRoutes(app: App, { monitor }: ApiDeps): void {
  app.openapi(stats, async (c) => c.json(renderStats(await monitor.stats()) as never, 200));
}
