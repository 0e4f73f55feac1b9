/** @jsxImportSource hono/jsx */
/** A queue's settings form: concurrency, rate limit, job defaults, retry policy, lanes, retention, push target; read-only for all but admins. */
import { Csrf } from "../components/action.tsx";
import { Curl } from "../components/curl.tsx";
import { OwnQueueBadge, queuePath } from "../components/queue-badges.tsx";
import { FormField, firstError, type FieldErrors } from "../components/queue-form-field.tsx";
import { PageHead } from "../layout.tsx";
import { useUi } from "../ui-context.ts";

/** The form's fields in the order it shows them. */
const FIELDS = [
  "concurrency", "rateLimitMax", "rateLimitInterval", "defaultPriority", "defaultMaxAttempts", "backoffType", "backoffDelay", "defaultTimeout",
  "noRetry", "byType", "laneOnFailure", "retentionCompleted", "retentionFailed", "retentionCancelled", "targetUrl", "targetHeaders", "targetTimeout",
] as const;

/** The form's fields, as text (what the form shows and sends back). */
export type SettingsValues = Record<string, string>;

export function SettingsForm({ queue, values, errors, saved }: { queue: string; values: SettingsValues; errors: FieldErrors; saved?: boolean }) {
  const ui = useUi();
  const readOnly = !ui.can("admin");
  const to = `${queuePath(queue)}/settings`;
  const focus = firstError(errors, FIELDS);
  const f = (name: (typeof FIELDS)[number], label: string, hint?: string, extra: Partial<Parameters<typeof FormField>[0]> = {}) => (
    <FormField name={name} label={label} hint={hint} value={values[name] ?? ""} errors={errors} readOnly={readOnly} focus={name === focus} {...extra} />
  );
  const body = (
    <>
      {errors.form && <p class="flash bad" role="alert">{errors.form}</p>}
      {saved && <p class="flash ok" role="status" data-saved>Settings of {queue} saved.</p>}
      <fieldset>
        <legend>Limits</legend>
        <div class="form-grid">
          {f("concurrency", "Concurrency", "active jobs at most, across workers; empty: no limit")}
          {f("rateLimitMax", "Rate limit: starts", "at most this many starts…")}
          {f("rateLimitInterval", "Rate limit: per", "…per interval, e.g. 1s, 1m; empty: no limit")}
        </div>
      </fieldset>
      <fieldset>
        <legend>Job defaults</legend>
        <div class="form-grid">
          {f("defaultPriority", "Priority", "0–10; empty: 5")}
          {f("defaultMaxAttempts", "Max attempts", "empty: 3")}
          {f("backoffType", "Backoff", undefined, { type: "select", options: [["", "default (exponential)"], ["exponential", "exponential"], ["fixed", "fixed"]] })}
          {f("backoffDelay", "Backoff delay", "e.g. 1s; at most 1h")}
          {f("defaultTimeout", "Attempt timeout", "e.g. 30s, 5m; empty: none")}
        </div>
      </fieldset>
      <fieldset>
        <legend>Retry policy and lanes</legend>
        {f("noRetry", "Never retry these error types", "comma-separated")}
        {f("byType", "By error type", 'JSON, e.g. {"Throttled": {"maxAttempts": 20, "backoff": {"delayMs": 30000}}}', { type: "textarea", rows: 3 })}
        {f("laneOnFailure", "When a lane's head fails for good", undefined, { type: "select", options: [["continue", "continue: the next job of the lane runs"], ["block", "block: the lane waits for an operator"]] })}
      </fieldset>
      <fieldset>
        <legend>Retention</legend>
        <p class="hint">How long finished jobs are kept (e.g. 30d, 12h); empty: spool:retention's defaults (30 days completed, 7 days failed and cancelled).</p>
        <div class="form-grid">
          {f("retentionCompleted", "Completed")}
          {f("retentionFailed", "Failed")}
          {f("retentionCancelled", "Cancelled")}
        </div>
      </fieldset>
      <fieldset>
        <legend>Push target</legend>
        <p class="hint">spool POSTs each job to this URL, signed (Spool-Signature); empty URL: pull workers only.</p>
        {f("targetUrl", "URL", readOnly ? "credentials and query values hidden" : "http(s)")}
        {f("targetHeaders", "Headers", readOnly ? "values hidden" : "one per line: Name: value", { type: "textarea", rows: 3 })}
        {f("targetTimeout", "Timeout", "e.g. 30s; empty: spool's default")}
      </fieldset>
      {!readOnly && <div class="actions"><button type="submit" class="primary">Save settings</button><a href={to}>Discard changes</a></div>}
    </>
  );
  return readOnly
    ? <div data-settings-readonly>{body}</div>
    : (
      <form method="post" action={to} hx-post={to} hx-target="#settings" hx-swap="innerHTML" data-settings-form>
        <Csrf />
        {body}
      </form>
    );
}

export function QueueSettingsPage({ queue, values, errors }: { queue: string; values: SettingsValues; errors: FieldErrors }) {
  const ui = useUi();
  const api = `/v1/queues/${encodeURIComponent(queue)}`;
  return (
    <>
      <PageHead
        title={<>Settings of {queue}</>}
        crumbs={[["/queues", "Queues"], [queuePath(queue), queue]]}
        sub={<>{ui.can("admin") ? "Fields left empty clear that setting." : "Only admins may change these."} <OwnQueueBadge name={queue} /></>}
      />
      <section class="panel">
        <div id="settings" hx-morph-skip-children>
          <SettingsForm queue={queue} values={values} errors={errors} />
        </div>
      </section>
      <details class="api">
        <summary>API calls</summary>
        <Curl call={{ path: api, note: "Read the settings (with counts):" }} />
        <Curl call={{ method: "PUT", path: api, body: { concurrency: 10, rateLimit: { max: 100, intervalMs: 60_000 }, laneOnFailure: "continue" }, note: "Change some (fields left out keep their value; null clears a limit):" }} />
      </details>
    </>
  );
}
