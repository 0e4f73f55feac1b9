/** @jsxImportSource hono/jsx */
/** One schedule: its definition, the next fires in its zone across DST, its run history, the edit form and actions. */
import type { Schedule, ScheduleRun } from "../../src/core/schedule-store.ts";
import type { FirePreview } from "../../src/scheduler/schedule-service.ts";
import { ApiCalls } from "../components/curl.tsx";
import { FireList } from "../components/schedule-fires.tsx";
import { ScheduleForm, type FieldErrors, type ScheduleFormValues } from "../components/schedule-form.tsx";
import { LocalTime, RunKindBadge, RunOutcome, ScheduleStateBadges, ScheduleTiming } from "../components/schedule-status.tsx";
import { Ago } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";
import { useUi } from "../ui-context.ts";
import { ScheduleActions } from "./schedules.tsx";

export type ScheduleDetail = {
  schedule: Schedule;
  fires: FirePreview[];
  history: ScheduleRun[];
  /** Local forms (in the schedule's zone) of the times on the page, by epoch ms. */
  localOf: (ms: number) => string;
  form: { values: ScheduleFormValues; errors?: FieldErrors };
};

const json = (value: unknown) => JSON.stringify(value, null, 2);

function Definition({ s, localOf }: { s: Schedule; localOf: (ms: number) => string }) {
  return (
    <dl class="kv">
      <dt>Timing</dt><dd><ScheduleTiming schedule={s} /></dd>
      <dt>Time zone</dt><dd>{s.timezone}</dd>
      <dt>Queue</dt><dd><a href={`/queues/${encodeURIComponent(s.queue)}`}>{s.queue}</a></dd>
      <dt>Overlap</dt><dd>{s.overlap === "skip" ? "skip while the last job is unfinished" : "allow"}</dd>
      <dt>After a downtime</dt><dd>{s.catchUp === "one" ? "fire once for missed runs" : "record missed runs only"}</dd>
      <dt>Next run</dt>
      <dd data-next>{s.nextFireAt === null ? "— (paused)" : <><LocalTime at={s.nextFireAt} local={localOf(s.nextFireAt)} /> <Ago ms={s.nextFireAt} /></>}</dd>
      <dt>Last fired</dt><dd>{s.lastFireAt === null ? "never" : <Ago ms={s.lastFireAt} />}{s.lastJobId && <> · <a href={`/jobs/${encodeURIComponent(s.lastJobId)}`}>job {s.lastJobId}</a></>}</dd>
      <dt>Payload</dt><dd><pre>{json(s.payload)}</pre></dd>
      {Object.keys(s.jobOptions).length > 0 && <><dt>Job options</dt><dd><pre>{json(s.jobOptions)}</pre></dd></>}
      {s.lastResultAt !== null && <><dt>Last result</dt><dd><Ago ms={s.lastResultAt} /><pre>{json(s.lastResult)}</pre></dd></>}
      <dt>Created</dt><dd><Ago ms={s.createdAt} /> · updated <Ago ms={s.updatedAt} /></dd>
    </dl>
  );
}

function History({ runs, localOf }: { runs: ScheduleRun[]; localOf: (ms: number) => string }) {
  if (runs.length === 0) return <p class="empty">No runs yet.</p>;
  return (
    <div class="table-wrap">
      <table class="stack-sm">
        <thead><tr><th>Fire time</th><th>Run</th><th>Job and outcome</th></tr></thead>
        <tbody>
          {runs.map((run) => (
            <tr data-run={run.kind}>
              <td data-label="Fire time">
                <LocalTime at={run.fireTime} local={localOf(run.fireTime)} />
                {run.count > 1 && <span class="sub">to <LocalTime at={run.lastFireTime} local={localOf(run.lastFireTime)} /></span>}
                <span class="sub"><Ago ms={run.at} /></span>
              </td>
              <td data-label="Run"><RunKindBadge run={run} /></td>
              <td data-label="Job and outcome"><RunOutcome run={run} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function SchedulePage({ data }: { data: ScheduleDetail }) {
  const { schedule: s } = data;
  const ui = useUi();
  const path = `/v1/schedules/${encodeURIComponent(s.name)}`;
  return (
    <>
      <PageHead title={s.name} crumbs={[["/schedules", "Schedules"]]} sub={<ScheduleStateBadges schedule={s} now={ui.now} />}>
        <ScheduleActions schedule={s} />
      </PageHead>
      <div class="grid">
        <section class="panel" aria-labelledby="definition">
          <h2 id="definition">Definition</h2>
          <Definition s={s} localOf={data.localOf} />
        </section>
        <section class="panel" aria-labelledby="next-fires">
          <h2 id="next-fires">Next {data.fires.length} fires <small>{s.timezone}</small></h2>
          {!s.enabled && <p class="hint">Paused: these are the times it would fire if resumed now.</p>}
          <FireList fires={data.fires} timezone={s.timezone} />
        </section>
      </div>
      <section class="panel" aria-labelledby="history">
        <h2 id="history">History <small>newest first</small></h2>
        <History runs={data.history} localOf={data.localOf} />
      </section>
      {ui.can("admin") && (
        <section class="panel" aria-labelledby="edit">
          <h2 id="edit">Edit</h2>
          <ScheduleForm mode="edit" values={data.form.values} errors={data.form.errors} preview={<FireList fires={data.fires.slice(0, 5)} timezone={s.timezone} />} />
        </section>
      )}
      <ApiCalls calls={[
        { path: `${path}?preview=10&history=20` },
        { method: "PUT", path, body: { cron: s.cron, every: s.every, timezone: s.timezone }, note: "Edit (fields left out keep their value):" },
        { method: "POST", path: `${path}/${s.enabled ? "pause" : "resume"}` },
        { method: "POST", path: `${path}/trigger` },
        ...(s.builtin ? [] : [{ method: "DELETE", path }]),
      ]} />
    </>
  );
}
