/** Errors: failures grouped by queue and error type over a window, from the per-minute aggregates. */
import { z } from "@hono/zod-openapi";
import type { ErrorGroups } from "../../monitor/error-groups.ts";
import type { App, ApiDeps } from "../env.ts";
import { iso } from "../../core/iso-time.ts";
import { jsonResponse, route } from "../route.ts";
import { QueueName } from "../schemas/common.ts";
import { ErrorGroupsSchema } from "../schemas/error-groups.ts";

/** Error groups as the API shows them: ISO 8601 times. */
export function renderErrorGroups(e: ErrorGroups) {
  return {
    since: iso(e.since),
    until: iso(e.until),
    stepMs: e.stepMs,
    groups: e.groups.map((g) => ({
      queue: g.queue,
      type: g.type,
      count: g.count,
      firstSeen: iso(g.firstSeen),
      lastSeen: iso(g.lastSeen),
      sample: g.sample,
      series: g.series.map((p) => ({ at: iso(p.at), n: p.n })),
    })),
  };
}

const list = route("read", {
  method: "get",
  path: "/v1/errors",
  operationId: "listErrorGroups",
  tags: ["Monitoring"],
  summary: "Failures grouped by queue and error type: count, first/last seen, a sample and a 24-point series",
  description:
    "Counted from per-minute aggregates, which outlive job retention; minutes are counted whole, from the one holding `since` to the current one.",
  request: {
    query: z.object({
      since: z.iso
        .datetime({ offset: true, error: "must be an ISO 8601 time like 2026-01-01T09:00:00Z" })
        .optional()
        .openapi({ description: "Start of the window (ISO 8601); default 24 h ago, at most 7 days ago", example: "2026-01-01T09:00:00Z" }),
      queue: QueueName.optional().openapi({ param: { name: "queue", in: "query" }, description: "Only this queue" }),
    }),
  },
  responses: { 200: jsonResponse(ErrorGroupsSchema, "Error groups") },
});

export function registerErrorRoutes(app: App, { monitor }: ApiDeps): void {
  app.openapi(list, async (c) => {
    const { since, queue } = c.req.valid("query");
    const groups = await monitor.errorGroups({ since: since === undefined ? undefined : Date.parse(since), queue });
    return c.json(renderErrorGroups(groups), 200);
  });
}
