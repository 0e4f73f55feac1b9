/** Alerts: firing and resolved, and acknowledging one. */
import { z } from "@hono/zod-openapi";
import { notFound } from "../../core/errors.ts";
import type { App, ApiDeps } from "../env.ts";
import { renderAlert } from "../render-monitor.ts";
import { jsonResponse, route } from "../route.ts";
import { AlertSchema } from "../schemas/monitor.ts";

const AlertId = z.string().min(1).max(32).openapi({ param: { name: "id", in: "path" }, example: "12" });

const list = route("read", {
  method: "get",
  path: "/v1/alerts",
  operationId: "listAlerts",
  tags: ["Monitoring"],
  summary: "Alerts, newest first",
  request: {
    query: z.object({
      state: z.enum(["firing", "resolved"]).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: { 200: jsonResponse(z.object({ alerts: z.array(AlertSchema) }), "Alerts") },
});

const ack = route("admin", {
  method: "post",
  path: "/v1/alerts/{id}/ack",
  operationId: "acknowledgeAlert",
  tags: ["Monitoring"],
  summary: "Acknowledge an alert",
  description: "Records who acknowledged it and when; the first acknowledgement is kept. An acknowledged alert still fires until its condition clears.",
  request: { params: z.object({ id: AlertId }) },
  errors: [404],
  responses: { 200: jsonResponse(AlertSchema, "The alert") },
});

export function registerAlertRoutes(app: App, { monitor }: ApiDeps): void {
  app.openapi(list, async (c) => {
    const { state, limit } = c.req.valid("query");
    return c.json({ alerts: (await monitor.alerts({ state, limit })).map(renderAlert) } as never, 200);
  });
  app.openapi(ack, async (c) => {
    const principal = c.get("principal");
    const by = principal.tokenId ?? principal.role;
    const alert = await monitor.ackAlert({ id: c.req.valid("param").id, by });
    if (!alert) throw notFound(`alert ${c.req.valid("param").id}`);
    return c.json(renderAlert(alert) as never, 200);
  });
}
