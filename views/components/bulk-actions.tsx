/** @jsxImportSource hono/jsx */
/**
 * Bulk actions on a queue's jobs: the pickers that ask for a preview, the preview that says how
 * many jobs an action will touch (from the counters) before it runs, and its progress while it
 * runs in bounded batches, each batch asking for the next until the work is done.
 */
import type { StateCounts } from "../../src/core/queue-config.ts";
import { useUi } from "../ui-context.ts";
import { Csrf } from "./action.tsx";
import { ApiCalls, type ApiCall } from "./curl.tsx";
import { STATES } from "./counts.tsx";
import { queuePath } from "./queue-badges.tsx";
import { count } from "./time.tsx";

export type BulkKind = "retry-failed" | "cancel-waiting" | "clean-completed" | "purge";

/** Jobs per request of a bulk action (a queue's or an error group's): one request never holds the store for long, and progress shows between batches. */
export const BULK_BATCH = 500;

/** One bulk action as previewed and run: what it does, to how many jobs, with which fields. */
export type BulkPlan = {
  queue: string;
  kind: BulkKind;
  /** What it does, after "This will": "retry the failed jobs". */
  what: string;
  /** Jobs it will touch, from the counters; with `upTo`, a bound (an error type narrows it). */
  total: number;
  upTo: boolean;
  /** Past tense for progress: "Retried". */
  done: string;
  /** The action's own fields (errorType, state). */
  fields: Record<string, string>;
  api: ApiCall;
  batch: number;
};

/** The slot previews and progress land in; live refreshes leave what is in it alone. */
export function BulkSlot() {
  return <div id="bulk-work" class="bulk-work" hx-morph-skip-children aria-live="polite"></div>;
}

const PURGEABLE = STATES.filter((s) => s !== "active");

function Picker({ queue, kind, label, children }: { queue: string; kind: BulkKind; label: string; children?: unknown }) {
  const to = `${queuePath(queue)}/bulk/${kind}`;
  return (
    <form class="picker" method="get" action={to} hx-get={to} hx-target="#bulk-work" hx-swap="innerHTML show:top" data-bulk-picker={kind}>
      {children}
      <button type="submit" class="small">{label}</button>
    </form>
  );
}

/** Purge one state of a queue (never active): pick it, then see how many jobs it holds. */
export function PurgePicker({ queue, counts }: { queue: string; counts: StateCounts }) {
  return (
    <Picker queue={queue} kind="purge" label="Purge…">
      <select name="state" aria-label={`State to purge in ${queue}`}>
        {PURGEABLE.map((s) => <option value={s}>{s} ({count(counts[s])})</option>)}
      </select>
    </Picker>
  );
}

/** The bulk actions of a queue's page, for admins: each asks for a preview first. */
export function BulkPickers({ queue, counts, errorTypes }: { queue: string; counts: StateCounts; errorTypes: string[] }) {
  const waiting = counts.waiting + counts.delayed + counts.blocked;
  return (
    <div class="bulk-pickers">
      <Picker queue={queue} kind="retry-failed" label={`Retry failed (${count(counts.failed)})…`}>
        <select name="errorType" aria-label="Only jobs whose last error has this type">
          <option value="">any error type</option>
          {errorTypes.map((t) => <option value={t}>{t}</option>)}
        </select>
      </Picker>
      <Picker queue={queue} kind="cancel-waiting" label={`Cancel waiting, delayed and blocked (${count(waiting)})…`} />
      <Picker queue={queue} kind="clean-completed" label={`Clean completed (${count(counts.completed)})…`} />
      <PurgePicker queue={queue} counts={counts} />
      <BulkSlot />
    </div>
  );
}

/** How many jobs the action will touch, and the button that starts it. */
export function BulkPreview({ plan }: { plan: BulkPlan }) {
  const ui = useUi();
  const to = `${queuePath(plan.queue)}/${plan.kind}`;
  const none = plan.total === 0;
  return (
    <div class="panel bulk" data-bulk-preview={plan.kind}>
      <p>
        {none
          ? <>Nothing to do: the counters show no such jobs in <code>{plan.queue}</code>.</>
          : <>This will {plan.what} of <code>{plan.queue}</code>: <strong data-bulk-total>{plan.upTo ? "at most " : ""}{count(plan.total)}</strong> {plan.total === 1 ? "job" : "jobs"}{plan.total > plan.batch ? `, in batches of ${plan.batch}` : ""}.</>}
      </p>
      <div class="actions">
        {!none && ui.can("admin") && (
          <form class="inline" method="post" action={to} hx-post={to} hx-target="#bulk-work" hx-swap="innerHTML">
            <Csrf />
            {Object.entries({ ...plan.fields, total: String(plan.total), done: "0" }).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
            <button type="submit" class="danger" autofocus>Run: {plan.what} ({plan.upTo ? "≤ " : ""}{count(plan.total)})</button>
          </form>
        )}
        <button type="button" class="small" hx-on:click="document.getElementById('bulk-work').replaceChildren()">{none ? "Close" : "Cancel"}</button>
      </div>
      <ApiCalls calls={[plan.api]} summary="API call" />
    </div>
  );
}

/** Progress of a running action: n of N done, and the request for the next batch until it is over. */
export function BulkProgress({ plan, done, finished }: { plan: BulkPlan; done: number; finished: boolean }) {
  const total = Math.max(plan.total, done);
  const to = `${queuePath(plan.queue)}/${plan.kind}`;
  if (finished) return <span data-bulk-done>{plan.done} {count(done)} {done === 1 ? "job" : "jobs"} of <code>{plan.queue}</code>. Done.</span>;
  return (
    <>
      <span data-bulk-progress>{plan.done} {count(done)} of {plan.upTo ? "at most " : ""}{count(total)}…</span>
      <progress max={total} value={done}>{count(done)} of {count(total)}</progress>
      <div hx-post={to} hx-trigger="load" hx-target="#bulk-work" hx-swap="innerHTML"
        hx-vals={JSON.stringify({ ...plan.fields, total: String(plan.total), done: String(done) })}></div>
    </>
  );
}
