/** @jsxImportSource hono/jsx */
/** A schedule at a glance: its timing, enabled or paused, late, built in, and what its latest run became. */
import type { Schedule, ScheduleRun } from "../../src/core/schedule-store.ts";
import { Badge, StateBadge } from "./badges.tsx";
import { Ago } from "./time.tsx";

/** A schedule this far past its fire time reads as late. */
export const LATE_AFTER_MS = 60_000;

export function isLate(s: Pick<Schedule, "enabled" | "nextFireAt">, now: number): boolean {
  return s.enabled && s.nextFireAt !== null && s.nextFireAt < now - LATE_AFTER_MS;
}

export function ScheduleTiming({ schedule }: { schedule: Pick<Schedule, "cron" | "every"> }) {
  return schedule.cron !== null ? <code>{schedule.cron}</code> : <span>every <code>{schedule.every}</code></span>;
}

export function ScheduleStateBadges({ schedule, now }: { schedule: Schedule; now: number }) {
  return (
    <span class="actions">
      {schedule.enabled ? <Badge tone="ok" icon="play">enabled</Badge> : <Badge tone="warn" icon="pause">paused</Badge>}
      {isLate(schedule, now) && <Badge tone="bad" icon="warn">late</Badge>}
      {schedule.builtin && <Badge tone="idle" icon="lock">spool's own</Badge>}
    </span>
  );
}

/** "2026-03-29T03:00:00+02:00" as "2026-03-29 03:00:00 +02:00", the instant in UTC on hover. */
export function LocalTime({ at, local }: { at: number; local: string }) {
  const [date, rest = ""] = local.split("T");
  const time = rest.slice(0, 8);
  const offset = rest.slice(8) || "+00:00";
  const iso = new Date(at).toISOString();
  return (
    <time datetime={iso} title={`${iso} (UTC)`} class="mono" data-local={local}>
      {date} {time} <span class="offset">{offset}</span>
    </time>
  );
}

const KIND_LABEL: Record<ScheduleRun["kind"], string> = { fired: "fired", skipped: "skipped: previous job unfinished", missed: "missed: spool was down" };

export function RunKindBadge({ run }: { run: ScheduleRun }) {
  const tone = run.kind === "fired" ? "info" : "warn";
  const times = run.count > 1 ? ` ×${run.count}` : "";
  return (
    <span>
      <Badge tone={tone} icon={run.kind === "fired" ? "play" : "warn"}>{KIND_LABEL[run.kind]}{times}</Badge>
      {run.manual && <span class="hint"> by hand</span>}
      {run.catchUp && <span class="hint"> catching up</span>}
    </span>
  );
}

/** The run's job and what it became (kept after the job is deleted). */
export function RunOutcome({ run }: { run: ScheduleRun }) {
  if (!run.jobId) return <span class="muted">no job</span>;
  return (
    <span>
      <a href={`/jobs/${encodeURIComponent(run.jobId)}`}>job {run.jobId}</a>{" "}
      {run.job && <StateBadge state={run.job.state} />}
      {run.job?.deleted && <span class="hint"> (deleted)</span>}
      {run.job?.finishedAt != null && <span class="sub">finished <Ago ms={run.job.finishedAt} /></span>}
      {run.job?.error && <span class="sub">{run.job.error}</span>}
    </span>
  );
}

export function LastOutcome({ run }: { run: ScheduleRun | null }) {
  if (!run) return <span class="muted">never ran</span>;
  return (
    <span>
      {/* A range of skipped or missed fires reads as of its latest. */}
      <RunKindBadge run={run} /> <Ago ms={run.lastFireTime} />
      {run.jobId && <span class="sub"><RunOutcome run={run} /></span>}
    </span>
  );
}
