/** @jsxImportSource hono/jsx */
/** The enqueue form of a queue's page: payload, key, priority, delay, attempts, idempotency key; refused input comes back with the errors beside the fields. */
import { Csrf } from "./action.tsx";
import { Curl } from "./curl.tsx";
import { queuePath } from "./queue-badges.tsx";
import { FormField, firstError, type FieldErrors } from "./queue-form-field.tsx";

const FIELDS = ["payload", "key", "priority", "delay", "maxAttempts", "idempotencyKey"] as const;

export type EnqueueValues = Partial<Record<(typeof FIELDS)[number], string>>;

export function EnqueueForm({ queue, values = {}, errors = {} }: { queue: string; values?: EnqueueValues; errors?: FieldErrors }) {
  const to = `${queuePath(queue)}/jobs`;
  const focus = firstError(errors, FIELDS);
  return (
    <form method="post" action={to} hx-post={to} hx-target="#enqueue" hx-swap="innerHTML" data-enqueue-form>
      <Csrf />
      {errors.form && <p class="field-error" role="alert">{errors.form}</p>}
      <FormField name="payload" focus={focus === "payload"} label="Payload" hint="JSON; empty for null" type="textarea" value={values.payload ?? ""} errors={errors} placeholder='{"to": "ada@example.com"}' />
      <div class="form-grid">
        <FormField name="key" focus={focus === "key"} label="Key" hint="orders the job in its lane" value={values.key} errors={errors} />
        <FormField name="priority" focus={focus === "priority"} label="Priority" hint="0–10, higher first; default 5" type="number" value={values.priority} errors={errors} />
        <FormField name="delay" focus={focus === "delay"} label="Delay" hint='e.g. 10s, 5m, 2h' value={values.delay} errors={errors} />
        <FormField name="maxAttempts" focus={focus === "maxAttempts"} label="Max attempts" hint="default 3" type="number" value={values.maxAttempts} errors={errors} />
        <FormField name="idempotencyKey" focus={focus === "idempotencyKey"} label="Idempotency key" hint="the same key returns the same job" value={values.idempotencyKey} errors={errors} />
      </div>
      <div class="actions">
        <button type="submit" class="primary">Enqueue</button>
      </div>
      <Curl call={{ method: "POST", path: `/v1/queues/${encodeURIComponent(queue)}/jobs`, body: { payload: { to: "ada@example.com" }, key: "acct-1", priority: 5, delayMs: 10_000 } }} />
    </form>
  );
}
