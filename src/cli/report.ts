/** `spool report daily [DATE]`: a stored daily report (the latest by default), readable or as JSON. */
import type { Command } from "commander";
import { CliError } from "./client.ts";
import { clientOf } from "./context.ts";
import { duration, percent } from "./figures.ts";
import { print, record, table } from "./output.ts";


/** One line per hour with a bar scaled to the busiest hour. */
function hourlyBars(hours: any[]): string {
  const max = Math.max(1, ...hours.map((h) => h.completed + h.failed));
  return hours.map((h) => `${h.hour}  ${"#".repeat(Math.round(((h.completed + h.failed) / max) * 40)).padEnd(40)}  ${h.completed + h.failed}`).join("\n");
}

function readable(r: any): string {
  const sections = [
    `daily report ${r.date} (${r.timezone}), made ${r.generatedAt}`,
    record([
      ["enqueued", r.totals.enqueued],
      ["completed", `${r.totals.completed} (${percent(r.completionRate)})`],
      ["failed", `${r.totals.failed} (${percent(r.failureRate)})`],
      ["cancelled", r.totals.cancelled],
      ["run time", `avg ${duration(r.runTime.avgMs)}, p95 ${duration(r.runTime.p95Ms)}`],
      ["wait time", `avg ${duration(r.waitTime.avgMs)}, p95 ${duration(r.waitTime.p95Ms)}`],
      ["retries", `${r.retries.retriedAttempts} attempts retried, ${r.retries.recoveredJobs} jobs recovered, ${r.retries.expiredLeases} leases expired`],
      ["peak hour", r.peakHour ? `${r.peakHour.hour} (${r.peakHour.finished} finished)` : "-"],
      ["disk", r.disk ? `${r.disk.usedPercent}% used` : "-"],
    ]),
    table(r.queues, [
      { header: "queue", value: (q: any) => q.queue },
      { header: "enqueued", value: (q: any) => q.enqueued, align: "right" },
      { header: "completed", value: (q: any) => q.completed, align: "right" },
      { header: "failed", value: (q: any) => q.failed, align: "right" },
      { header: "failed %", value: (q: any) => percent(q.failureRate), align: "right" },
      { header: "avg run", value: (q: any) => duration(q.runTime.avgMs), align: "right" },
      { header: "p95 run", value: (q: any) => duration(q.runTime.p95Ms), align: "right" },
    ]),
  ];
  if (r.failuresByType.length > 0) sections.push(table(r.failuresByType, [{ header: "error type", value: (e: any) => e.type }, { header: "failures", value: (e: any) => e.n, align: "right" }]));
  if (r.slowest.length > 0) {
    sections.push(table(r.slowest, [
      { header: "slowest job", value: (s: any) => s.jobId },
      { header: "queue", value: (s: any) => s.queue },
      { header: "run", value: (s: any) => duration(s.runMs), align: "right" },
      { header: "finished", value: (s: any) => s.finishedAt },
    ]));
  }
  sections.push(hourlyBars(r.hourly));
  sections.push(table(r.trend, [
    { header: "day", value: (d: any) => d.date },
    { header: "completed", value: (d: any) => d.completed, align: "right" },
    { header: "failed", value: (d: any) => d.failed, align: "right" },
    { header: "failed %", value: (d: any) => percent(d.failureRate), align: "right" },
    { header: "avg run", value: (d: any) => duration(d.avgRunMs), align: "right" },
  ]));
  return sections.join("\n\n");
}

export function registerReportCommands(program: Command): void {
  const report = program.command("report").description("reports spool makes for you");
  report
    .command("daily [date]")
    .description("a day's report (YYYY-MM-DD; default: the latest one stored)")
    .action(async (date: string | undefined, _o, cmd: Command) => {
      const { api, json } = clientOf(cmd);
      let day = date;
      if (day === undefined) {
        const { reports } = await api.request("GET", "/v1/reports/daily?limit=1");
        if (reports.length === 0) throw new CliError("no daily report yet: spool makes one at 02:00 for the day before (or run `spool schedule trigger spool:daily-report`)");
        day = reports[0].date as string;
      }
      const body = await api.request("GET", `/v1/reports/daily/${encodeURIComponent(day)}`);
      print(json, body, () => readable(body));
    });
}
