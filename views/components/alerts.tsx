/** @jsxImportSource hono/jsx */
/** Alerts as an operator reads them: what fired, about what, and a link to the jobs behind it. */
import type { Alert } from "../../src/core/monitor-store.ts";
import { Action } from "./action.tsx";
import { SeverityBadge } from "./badges.tsx";
import { Ago } from "./time.tsx";

/** Where the evidence of an alert is: the failed jobs, the backlog, the workers, the schedule, the disk. */
export function alertHref(alert: Pick<Alert, "rule" | "subject" | "firstSeen">): string {
  const q = encodeURIComponent(alert.subject);
  const since = new Date(Math.max(0, alert.firstSeen - 3_600_000)).toISOString();
  switch (alert.rule) {
    case "failure_rate":
    case "error_concentration":
      return `/errors?queue=${q}&since=${encodeURIComponent(since)}`;
    case "stalled_jobs":
      return `/errors?queue=${q}&since=${encodeURIComponent(since)}`;
    case "queue_backlog":
      return `/queues/${q}?state=waiting`;
    case "worker_down":
      return `/workers?queue=${q}`;
    case "no_activity":
      return `/queues/${q}`;
    case "schedule_late":
      return `/schedules/${q}`;
    case "disk_space":
      return "/server";
    default:
      return "/alerts";
  }
}

const EVIDENCE: Record<string, string> = {
  failure_rate: "failed jobs by error type",
  error_concentration: "failed jobs by error type",
  stalled_jobs: "expired leases",
  queue_backlog: "waiting jobs",
  worker_down: "workers",
  no_activity: "the queue",
  schedule_late: "the schedule",
  disk_space: "disk use",
};

export function AlertRow({ alert, deduction }: { alert: Alert; deduction?: number }) {
  return (
    <tr id={`alert-${alert.id}`} data-alert={alert.rule}>
      <td><SeverityBadge severity={alert.severity} />{alert.state === "resolved" && <span class="sub">resolved <Ago ms={alert.resolvedAt} /></span>}</td>
      <td class="wide-sm">
        <strong>{alert.rule}</strong> on <code>{alert.subject}</code>
        <span class="sub">{alert.message}</span>
      </td>
      <td class="hide-sm"><Ago ms={alert.firstSeen} /><span class="sub">last <Ago ms={alert.lastSeen} /></span></td>
      {deduction !== undefined && <td class="num" data-label="score">{deduction > 0 ? `−${deduction}` : "0"}</td>}
      <td class="wide-sm">
        <div class="actions">
          <a href={alertHref(alert)}>See {EVIDENCE[alert.rule] ?? "details"}</a>
          {alert.ackedAt === null && alert.state === "firing"
            ? <Action to={`/alerts/${alert.id}/ack`} label="Acknowledge" permission="admin" />
            : alert.ackedAt !== null && <span class="hint">acknowledged <Ago ms={alert.ackedAt} /></span>}
        </div>
      </td>
    </tr>
  );
}
