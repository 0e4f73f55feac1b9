/** @jsxImportSource hono/jsx */
/** POST /queues/{queue}/jobs: the enqueue form, through QueueService.enqueue like POST /v1/queues/{queue}/jobs; refused input comes back in the form with the errors beside the fields. */
import type { Hono } from "hono";
import type { ApiDeps, ApiEnv } from "../../api/env.ts";
import { parseDuration } from "../../core/duration.ts";
import { SpoolError, validationFailed } from "../../core/errors.ts";
import { enqueueIssues } from "../../core/enqueue.ts";
import type { EnqueueOptions } from "../../core/job.ts";
import { Flash } from "../../../views/layout.tsx";
import { EnqueueForm, type EnqueueValues } from "../../../views/components/queue-enqueue-form.tsx";
import type { FieldErrors } from "../../../views/components/queue-form-field.tsx";
import { allow, reservedQueues } from "../../api/auth.ts";
import { formOf, fragment } from "../render.tsx";
import { renderQueuePage } from "./queues.tsx";

const FIELDS = ["payload", "key", "priority", "delay", "maxAttempts", "idempotencyKey"] as const;

/** The form's text read into enqueue options; problems the service would not see (JSON, numbers, durations) are refused here. */
export function readEnqueue(values: EnqueueValues): EnqueueOptions {
  const issues: { path: string; message: string }[] = [];
  const v = (name: keyof EnqueueValues) => (values[name] ?? "").trim();
  const options: EnqueueOptions = {};
  if (v("payload")) {
    try {
      options.payload = JSON.parse(v("payload"));
    } catch (err) {
      issues.push({ path: "payload", message: `not valid JSON: ${(err as Error).message}` });
    }
  }
  if (values.key) options.key = values.key;
  if (values.idempotencyKey) options.idempotencyKey = values.idempotencyKey;
  for (const name of ["priority", "maxAttempts"] as const) {
    if (!v(name)) continue;
    if (/^-?\d+$/.test(v(name))) options[name] = Number(v(name));
    else issues.push({ path: name, message: "must be a whole number" });
  }
  if (v("delay")) {
    const ms = parseDuration(v("delay"));
    if (ms === null) issues.push({ path: "delay", message: "must be a duration like 10s, 5m or 2h" });
    else options.delayMs = ms;
  }
  // What did parse is checked as the service would, so the form shows every problem at once.
  if (issues.length) issues.push(...enqueueIssues(options).filter((later) => !issues.some((i) => i.path === later.path)));
  if (issues.length) throw validationFailed(`invalid job: ${issues.map((i) => `${i.path} ${i.message}`).join("; ")}`, issues);
  return options;
}

/** A refusal's details as messages beside the form's fields (the service names delayMs; the form calls it delay). */
function enqueueErrors(err: SpoolError): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of err.details as { path?: string; message?: string }[]) {
    const field = d.path === "delayMs" || d.path === "runAt" ? "delay" : FIELDS.find((f) => f === d.path) ?? "form";
    errors[field] ??= d.message ?? err.message;
  }
  if (Object.keys(errors).length === 0) errors.form = err.message;
  return errors;
}

export function registerQueueEnqueue(web: Hono<ApiEnv>, deps: ApiDeps): void {
  // Queues named spool:… are spool's own: only admins may enqueue into them, here as over the API.
  web.post("/queues/:queue/jobs", allow("enqueue"), reservedQueues(), async (c) => {
    const queue = c.req.param("queue");
    const form = await formOf(c);
    const values: EnqueueValues = Object.fromEntries(FIELDS.map((f) => [f, form[f] ?? ""]));
    const htmx = Boolean(c.req.header("hx-request"));
    let outcome;
    try {
      outcome = await deps.service.enqueue(queue, readEnqueue(values));
    } catch (err) {
      if (!(err instanceof SpoolError) || err.status !== 400) throw err;
      const errors = enqueueErrors(err);
      if (!htmx) return renderQueuePage(c, deps, queue, { values, errors }, 400);
      return fragment(c, deps, <EnqueueForm queue={queue} values={values} errors={errors} />, 400);
    }
    if (!htmx) return c.redirect(`/queues/${encodeURIComponent(queue)}`, 303);
    const link = <a href={`/jobs/${encodeURIComponent(outcome.job.id)}`}>job #{outcome.job.id}</a>;
    const message = outcome.created
      ? <>Enqueued {link} in {queue} ({outcome.job.state}).</>
      : <>An earlier job has that idempotency key: {link} ({outcome.job.state}); nothing new was enqueued.</>;
    return fragment(
      c, deps,
      <>
        <EnqueueForm queue={queue} />
        <div hx-swap-oob="beforeend:#flash"><Flash ok={true}><span data-enqueued={outcome.job.id}>{message}</span></Flash></div>
      </>,
      200,
      { "HX-Trigger": "spool:changed" },
    );
  });
}
