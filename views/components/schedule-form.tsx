/** @jsxImportSource hono/jsx */
/**
 * The add and edit form of a schedule. It previews the next fires as it is typed (a GET of the
 * preview fragment 300 ms after the last change), keeps what was typed when saving fails, and
 * shows each problem beside its field. Live refreshes leave it alone (hx-morph-skip): only its
 * own answers replace it.
 */
import type { Child } from "hono/jsx";
import { Csrf } from "./action.tsx";

export type ScheduleFormValues = {
  name: string;
  cron: string;
  every: string;
  timezone: string;
  queue: string;
  payload: string;
  overlap: string;
  catchUp: string;
};

export const EMPTY_SCHEDULE_FORM: ScheduleFormValues = { name: "", cron: "", every: "", timezone: "UTC", queue: "", payload: "", overlap: "allow", catchUp: "one" };

/** Problems by field name; "" holds those that belong to no one field. */
export type FieldErrors = Record<string, string[]>;

export const PREVIEW_PATH = "/schedules/preview/fires";

const ZONES = ["UTC", ...Intl.supportedValuesOf("timeZone").filter((z) => z !== "UTC")];

export function ScheduleForm({ mode, values, errors = {}, preview }: {
  mode: "add" | "edit";
  values: ScheduleFormValues;
  errors?: FieldErrors;
  /** The preview's first content (before anything is typed). */
  preview: Child;
}) {
  const action = mode === "add" ? "/schedules" : `/schedules/${encodeURIComponent(values.name)}`;
  const id = (field: string) => `sf-${field}`;
  const problem = (field: string) => {
    const list = errors[field];
    return list && list.length > 0 ? <span id={`${id(field)}-error`} class="field-error" role="alert">{list.join("; ")}</span> : null;
  };
  const invalid = (field: string) => (errors[field]?.length ? { "aria-invalid": "true", "aria-describedby": `${id(field)}-error` } : {});
  const text = (field: keyof ScheduleFormValues, label: Child, extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={id(field)}>{label}</label>
      <input id={id(field)} name={field} value={values[field]} autocomplete="off" spellcheck={false} {...invalid(field)} {...extra} />
      {problem(field)}
    </div>
  );
  const select = (field: keyof ScheduleFormValues, label: Child, options: [string, string][]) => (
    <div class="field">
      <label for={id(field)}>{label}</label>
      <select id={id(field)} name={field} {...invalid(field)}>
        {options.map(([value, text]) => <option value={value} selected={values[field] === value}>{text}</option>)}
      </select>
      {problem(field)}
    </div>
  );
  return (
    <form id="schedule-form" class="schedule-form" method="post" action={action} hx-post={action} hx-target="#schedule-form" hx-swap="outerHTML" hx-morph-skip novalidate>
      <Csrf />
      {errors[""]?.length ? <p class="flash bad" role="alert">{errors[""].join("; ")}</p> : null}
      <div class="form-grid">
        {mode === "add"
          ? text("name", <>Name <span class="hint">A–Z a–z 0–9 . _ : -</span></>, { required: true })
          : <input type="hidden" name="name" value={values.name} />}
        {text("cron", <>Cron <span class="hint">5 or 6 fields, or @daily</span></>, { placeholder: "0 4 * * *" })}
        {text("every", <>or every <span class="hint">30s, 5m, 1h, 1d</span></>, { placeholder: "15m" })}
        {text("timezone", "Time zone", { list: "sf-zones" })}
        {text("queue", "Queue", { required: true })}
        {select("overlap", "Overlap", [["allow", "allow"], ["skip", "skip while the last job runs"]])}
        {select("catchUp", "After a downtime", [["one", "fire once for missed runs"], ["none", "only record them as missed"]])}
      </div>
      <datalist id="sf-zones">{ZONES.map((z) => <option value={z} />)}</datalist>
      <div class="field">
        <label for={id("payload")}>Payload <span class="hint">JSON given to every job (empty: null)</span></label>
        <textarea id={id("payload")} name="payload" rows={3} spellcheck={false} {...invalid("payload")}>{values.payload}</textarea>
        {problem("payload")}
      </div>
      <div class="panel sub-panel" aria-live="polite">
        <div id="schedule-preview" hx-get={PREVIEW_PATH} hx-trigger="input changed delay:300ms from:#schedule-form" hx-include="#schedule-form">
          {preview}
        </div>
      </div>
      <div class="actions" style="margin-top:12px">
        <button type="submit" class="primary">{mode === "add" ? "Add schedule" : "Save changes"}</button>
      </div>
    </form>
  );
}
