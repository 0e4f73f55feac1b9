/** @jsxImportSource hono/jsx */
/** /reports: the stored daily reports, one report rendered, and building one now — through the Monitor, like /v1/reports. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { notFound, validationFailed } from "../../core/errors.ts";
import { dateOf, isDate, yesterday } from "../../monitor/calendar.ts";
import { ReportPage } from "../../../views/pages/report.tsx";
import { ReportsPage } from "../../../views/pages/reports.tsx";
import { allow } from "../../api/auth.ts";
import { act, formOf, page } from "../render.tsx";

const LISTED = 90;

export function registerReports(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { monitor, clock } = deps;

  const days = async () => {
    const timezone = await monitor.reportTimezone();
    const now = clock.now();
    return { timezone, today: dateOf(now, timezone), yesterday: yesterday(now, timezone) };
  };

  web.get("/reports", async (c) => {
    const [reports, when] = await Promise.all([monitor.reports(LISTED), days()]);
    return page(c, deps, "Reports", <ReportsPage data={{ reports, ...when }} />);
  });

  web.get("/reports/:date", async (c) => {
    const date = c.req.param("date");
    if (!isDate(date)) throw validationFailed(`"${date}" is not a date written YYYY-MM-DD`, [{ path: "date", message: "must be a real date, YYYY-MM-DD" }]);
    const stored = await monitor.report(date);
    if (!stored) throw notFound(`daily report for ${date} (reports are made at 02:00 for the day before; build one on the Reports page)`);
    return page(c, deps, `Report ${date}`, <ReportPage report={stored.body} />);
  });

  web.post("/reports/build", allow("admin"), (c) =>
    act(c, deps, async () => {
      const { day } = await formOf(c);
      const when = await days();
      const date = day === "today" ? when.today : when.yesterday;
      const { report } = await monitor.dailyReport({ date, timezone: when.timezone });
      return <>Built the report of <a href={`/reports/${report.date}`}>{report.date}</a>: {report.totals.completed} completed, {report.totals.failed} failed.</>;
    }),
  );
}
