/** Daily reports: the stored dates, and one day's report. */
import { z } from "@hono/zod-openapi";
import { notFound } from "../../core/errors.ts";
import { isDate } from "../../monitor/calendar.ts";
import { DAILY } from "../../monitor/daily-report.ts";
import type { App, ApiDeps } from "../env.ts";
import { jsonResponse, route } from "../route.ts";
import { Timestamp } from "../schemas/common.ts";
import { DailyReportSchema } from "../schemas/monitor.ts";
import { iso } from "../../core/iso-time.ts";

const list = route("read", {
  method: "get",
  path: "/v1/reports/daily",
  operationId: "listDailyReports",
  tags: ["Monitoring"],
  summary: "Dates of the stored daily reports, newest first",
  description: "The spool:daily-report schedule makes the previous day's report at 02:00 and also writes it as JSON under the data folder's reports/daily/.",
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(60) }) },
  responses: { 200: jsonResponse(z.object({ reports: z.array(z.object({ date: z.string(), createdAt: Timestamp })) }), "Reports") },
});

const DateParam = z
  .string()
  .refine(isDate, "must be a date written YYYY-MM-DD")
  .openapi({ param: { name: "date", in: "path" }, example: "2026-01-05" });

const get = route("read", {
  method: "get",
  path: "/v1/reports/daily/{date}",
  operationId: "getDailyReport",
  tags: ["Monitoring"],
  summary: "One day's report",
  request: { params: z.object({ date: DateParam }) },
  errors: [404],
  responses: { 200: jsonResponse(DailyReportSchema, "The report") },
});

export function registerReportRoutes(app: App, { store }: ApiDeps): void {
  app.openapi(list, async (c) => {
    const reports = await store.reportsList({ kind: DAILY, limit: c.req.valid("query").limit });
    return c.json({ reports: reports.map((r) => ({ date: r.date, createdAt: iso(r.createdAt) })) }, 200);
  });
  app.openapi(get, async (c) => {
    const { date } = c.req.valid("param");
    const report = await store.reportGet({ kind: DAILY, date });
    if (!report) throw notFound(`daily report for ${date} (reports are made at 02:00 for the day before)`);
    return c.json(report.body as never, 200);
  });
}
