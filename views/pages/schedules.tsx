/** @jsxImportSource hono/jsx */
/** Schedules: every schedule with its next run in its own zone, its last outcome and a late marker; actions and the add form. */
import type { Schedule, ScheduleRun } from "../../src/core/schedule-store.ts";
import { Action } from "../components/action.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { ScheduleForm, type FieldErrors, type ScheduleFormValues } from "../components/schedule-form.tsx";
import { LastOutcome, LocalTime, ScheduleStateBadges, ScheduleTiming } from "../components/schedule-status.tsx";
import { Ago } from "../components/time.tsx";
import { Flash, PageHead } from "../layout.tsx";
import { useUi } from "../ui-context.ts";

export type ScheduleRow = { schedule: Schedule; nextLocal: string | null; lastRun: ScheduleRun | null };

/** Pause or resume, trigger now, and delete (not offered for spool's own schedules, which can only be paused). */
export function ScheduleActions({ schedule }: { schedule: Schedule }) {
  const base = `/schedules/${encodeURIComponent(schedule.name)}`;
  return (
    <div class="actions">
      {schedule.enabled
        ? <Action to={`${base}/pause`} label="Pause" />
        : <Action to={`${base}/resume`} label="Resume" />}
      <Action to={`${base}/trigger`} label="Trigger now" />
      {!schedule.builtin && <Action to={`${base}/delete`} label="Delete" tone="danger" confirm={`Delete schedule ${schedule.name} and its history?`} />}
    </div>
  );
}

function Row({ row }: { row: ScheduleRow }) {
  const { schedule: s } = row;
  const ui = useUi();
  return (
    <tr data-schedule={s.name}>
      <td><a href={`/schedules/${encodeURIComponent(s.name)}`}><strong>{s.name}</strong></a><span class="sub"><ScheduleTiming schedule={s} /></span></td>
      <td class="hide-sm" data-label="Zone">{s.timezone}</td>
      <td data-label="Queue"><a href={`/queues/${encodeURIComponent(s.queue)}`}>{s.queue}</a></td>
      <td data-label="State"><ScheduleStateBadges schedule={s} now={ui.now} /></td>
      <td data-next data-label="Next run">
        {s.nextFireAt !== null && row.nextLocal
          ? <><LocalTime at={s.nextFireAt} local={row.nextLocal} /><span class="sub"><Ago ms={s.nextFireAt} /> · {s.timezone}</span></>
          : <span class="hint">not while paused</span>}
      </td>
      <td data-label="Last outcome"><LastOutcome run={row.lastRun} /></td>
      {ui.can("admin") && <td class="wide-sm" data-label="Actions"><ScheduleActions schedule={s} /></td>}
    </tr>
  );
}

export function SchedulesPage({ rows, form, deleted }: {
  rows: ScheduleRow[];
  form: { values: ScheduleFormValues; errors?: FieldErrors };
  deleted: string | null;
}) {
  const ui = useUi();
  return (
    <>
      <PageHead title="Schedules" sub="Next runs are shown in each schedule's own time zone, with its UTC offset; hover a time for UTC." />
      {deleted && <Flash ok>Deleted schedule {deleted}.</Flash>}
      <section class="panel" aria-labelledby="all-schedules">
        <h2 id="all-schedules">All schedules <small>{rows.length}</small></h2>
        {rows.length === 0
          ? <p class="empty">No schedules yet.</p>
          : (
            <div class="table-wrap">
              <table class="stack-sm">
                <thead><tr><th>Name</th><th class="hide-sm">Zone</th><th>Queue</th><th>State</th><th>Next run</th><th>Last outcome</th>{ui.can("admin") && <th>Actions</th>}</tr></thead>
                <tbody>{rows.map((row) => <Row row={row} />)}</tbody>
              </table>
            </div>
          )}
      </section>
      {ui.can("admin") && (
        <section class="panel" aria-labelledby="add-schedule">
          <h2 id="add-schedule">Add schedule</h2>
          <ScheduleForm mode="add" values={form.values} errors={form.errors} preview={<p class="hint">Type a cron or an interval to see the next fires.</p>} />
        </section>
      )}
      <ApiCalls calls={[
        { path: "/v1/schedules" },
        { method: "POST", path: "/v1/schedules", body: { name: "nightly-export", cron: "0 4 * * *", timezone: "Europe/Berlin", queue: "exports", payload: {} }, note: "Add one:" },
        { method: "POST", path: "/v1/schedules/NAME/pause", note: "Pause (or /resume, /trigger):" },
        { method: "DELETE", path: "/v1/schedules/NAME", note: "Delete:" },
      ]} />
    </>
  );
}
