/** @jsxImportSource hono/jsx */
/**
 * /schedules: every schedule, one schedule with its fires and history, the add and edit form with
 * its live preview, and pause, resume, trigger and delete — all through ScheduleService, like /v1/schedules.
 */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { SpoolError } from "../../core/errors.ts";
import type { Schedule } from "../../core/schedule-store.ts";
import { resolveSchedule, type ScheduleInput } from "../../scheduler/schedule-input.ts";
import { isoInZone } from "../../scheduler/timing.ts";
import { FireList, FirePreviewBody } from "../../../views/components/schedule-fires.tsx";
import { EMPTY_SCHEDULE_FORM, PREVIEW_PATH, ScheduleForm, type FieldErrors, type ScheduleFormValues } from "../../../views/components/schedule-form.tsx";
import { LocalTime } from "../../../views/components/schedule-status.tsx";
import { Flash } from "../../../views/layout.tsx";
import { SchedulePage } from "../../../views/pages/schedule.tsx";
import { SchedulesPage } from "../../../views/pages/schedules.tsx";
import { allow } from "../../api/auth.ts";
import { act, formOf, fragment, page, type WebContext } from "../render.tsx";

type Issue = { path: string; message: string };

const FIELDS = ["name", "cron", "every", "timezone", "queue", "payload", "overlap", "catchUp"] as const;
const TIMING_FIELDS = ["cron", "every", "timezone"];

function formValues(fields: Record<string, string | undefined>): ScheduleFormValues {
  const values = { ...EMPTY_SCHEDULE_FORM };
  for (const field of FIELDS) if (typeof fields[field] === "string") values[field] = fields[field]!;
  return values;
}

function valuesOf(s: Schedule): ScheduleFormValues {
  return {
    name: s.name, cron: s.cron ?? "", every: s.every ?? "", timezone: s.timezone, queue: s.queue,
    payload: s.payload === null ? "" : JSON.stringify(s.payload, null, 2), overlap: s.overlap, catchUp: s.catchUp,
  };
}

/** What the form says as a ScheduleInput; a payload that is not JSON is a problem of its own. */
function inputOf(v: ScheduleFormValues): { input: ScheduleInput; problems: Issue[] } {
  const problems: Issue[] = [];
  let payload: unknown = null;
  if (v.payload.trim() !== "") {
    try {
      payload = JSON.parse(v.payload);
    } catch {
      problems.push({ path: "payload", message: "is not valid JSON" });
    }
  }
  const input: ScheduleInput = {
    cron: v.cron.trim() || null, every: v.every.trim() || null, timezone: v.timezone.trim() || "UTC",
    queue: v.queue.trim() || undefined, payload, overlap: v.overlap, catchUp: v.catchUp,
  };
  return { input, problems };
}

/** A refusal's problems by form field; those of no field (and the message, when none is named) under "". */
function fieldErrors(err: SpoolError): FieldErrors {
  const errors: FieldErrors = {};
  const details = (err.details as Issue[]).filter((d) => typeof d?.path === "string");
  for (const d of details) {
    const field = (FIELDS as readonly string[]).includes(d.path) ? d.path : "";
    (errors[field] ??= []).push(field ? d.message : `${d.path} ${d.message}`);
  }
  if (details.length === 0) (errors[err.code === "conflict" && err.message.includes("already exists") ? "name" : ""] ??= []).push(err.message);
  return errors;
}

/** With a payload that is not JSON, the other problems of a new schedule, so the form shows them all at once. */
function otherIssues(name: string, input: ScheduleInput, mode: "add" | "edit"): Issue[] {
  if (mode === "edit") return [];
  try {
    resolveSchedule(name, { ...input, payload: null }, null);
    return [];
  } catch (err) {
    return err instanceof SpoolError ? (err.details as Issue[]) : [];
  }
}

export function registerSchedules(web: Hono<ApiEnv>, deps: ApiDeps): void {
  const { schedules, clock } = deps;

  const listPage = async (c: WebContext, form: { values: ScheduleFormValues; errors?: FieldErrors }, status = 200) => {
    const all = await schedules.list();
    const rows = await Promise.all(all.map(async (schedule) => ({
      schedule,
      nextLocal: schedule.nextFireAt === null ? null : isoInZone(schedule.nextFireAt, schedule.timezone),
      lastRun: (await schedules.history(schedule.name, 1))[0] ?? null,
    })));
    return page(c, deps, "Schedules", <SchedulesPage rows={rows} form={form} deleted={c.req.query("deleted") ?? null} />, status);
  };

  const detailPage = async (c: WebContext, name: string, form?: { values: ScheduleFormValues; errors?: FieldErrors }, status = 200) => {
    const schedule = await schedules.get(name);
    const [fires, history] = await Promise.all([schedules.preview(name, 10), schedules.history(name, 50)]);
    const data = { schedule, fires, history, localOf: (ms: number) => isoInZone(ms, schedule.timezone), form: form ?? { values: valuesOf(schedule) } };
    return page(c, deps, schedule.name, <SchedulePage data={data} />, status);
  };

  web.get("/schedules", (c) => listPage(c, { values: EMPTY_SCHEDULE_FORM }));

  /** The preview of what the form says: the next fires in its zone, or what is wrong with its timing. */
  const previewOf = (values: ScheduleFormValues) => {
    const { input } = inputOf(values);
    try {
      return <FirePreviewBody fires={schedules.previewTiming(input, 5)} timezone={input.timezone!} problems={[]} />;
    } catch (err) {
      if (!(err instanceof SpoolError)) throw err;
      const problems = (err.details as Issue[]).filter((d) => TIMING_FIELDS.includes(d.path));
      return <FirePreviewBody fires={[]} timezone={input.timezone!} problems={problems.length ? problems : [{ path: "", message: err.message }]} />;
    }
  };

  web.get(PREVIEW_PATH, (c) => fragment(c, deps, previewOf(formValues(c.req.query()))));

  web.get("/schedules/:name", (c) => detailPage(c, c.req.param("name")));

  /** Add or edit from the form: the form again with each problem beside its field, or the saved schedule. */
  const save = async (c: WebContext, mode: "add" | "edit") => {
    const values = formValues(await formOf(c));
    const name = mode === "add" ? values.name.trim() : c.req.param("name")!;
    values.name = name;
    const { input, problems } = inputOf(values);
    let saved: Schedule;
    try {
      if (problems.length > 0) throw new SpoolError("validation_failed", 400, "invalid schedule", [...problems, ...otherIssues(name, input, mode)]);
      saved = mode === "add" ? await schedules.create(name, input) : await schedules.update(name, input);
    } catch (err) {
      if (!(err instanceof SpoolError) || err.status === 403) throw err;
      const form = { values, errors: fieldErrors(err) };
      if (c.req.header("hx-request")) {
        return fragment(c, deps, <ScheduleForm mode={mode} values={values} errors={form.errors} preview={previewOf(values)} />, err.status);
      }
      return mode === "add" ? listPage(c, form, err.status) : detailPage(c, name, form, err.status);
    }
    const href = `/schedules/${encodeURIComponent(saved.name)}`;
    if (!c.req.header("hx-request")) return c.redirect(href, 303);
    const next = saved.nextFireAt === null ? "paused" : <>next run <LocalTime at={saved.nextFireAt} local={isoInZone(saved.nextFireAt, saved.timezone)} /></>;
    const fires = saved.nextFireAt === null ? [] : await schedules.preview(saved.name, 5);
    return fragment(c, deps, (
      <>
        <ScheduleForm
          mode={mode}
          values={mode === "add" ? EMPTY_SCHEDULE_FORM : valuesOf(saved)}
          preview={mode === "add" ? <p class="hint">Type a cron or an interval to see the next fires.</p> : <FireList fires={fires} timezone={saved.timezone} />}
        />
        <div hx-swap-oob="beforeend:#flash">
          <Flash ok>{mode === "add" ? "Added" : "Saved"} schedule <a href={href}>{saved.name}</a>; {next}.</Flash>
        </div>
      </>
    ), 200, { "HX-Trigger": "spool:changed" });
  };

  web.post("/schedules", allow("admin"), (c) => save(c, "add"));
  web.post("/schedules/:name", allow("admin"), (c) => save(c, "edit"));

  web.post("/schedules/:name/pause", allow("admin"), (c) =>
    act(c, deps, async () => {
      const s = await schedules.pause(c.req.param("name"));
      return `Paused ${s.name}: it will not fire until resumed.`;
    }),
  );

  web.post("/schedules/:name/resume", allow("admin"), (c) =>
    act(c, deps, async () => {
      const s = await schedules.resume(c.req.param("name"));
      return <>Resumed {s.name}{s.nextFireAt !== null && <>: next run <LocalTime at={s.nextFireAt} local={isoInZone(s.nextFireAt, s.timezone)} /></>}.</>;
    }),
  );

  web.post("/schedules/:name/trigger", allow("admin"), (c) =>
    act(c, deps, async () => {
      const { job } = await schedules.trigger(c.req.param("name"));
      return <>Triggered {c.req.param("name")}: <a href={`/jobs/${encodeURIComponent(job.id)}`}>job {job.id}</a> enqueued in {job.queue}.</>;
    }),
  );

  web.post("/schedules/:name/delete", allow("admin"), async (c) => {
    const name = c.req.param("name");
    try {
      await schedules.delete(name);
    } catch (err) {
      if (err instanceof SpoolError && err.status !== 403) return act(c, deps, () => Promise.reject(err));
      throw err;
    }
    // The schedule's own page is gone: the list says what was deleted.
    const to = `/schedules?deleted=${encodeURIComponent(name)}`;
    return c.req.header("hx-request") ? c.body(null, 200, { "HX-Redirect": to }) : c.redirect(to, 303);
  });
}
