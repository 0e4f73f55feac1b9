/** @jsxImportSource hono/jsx */
/**
 * Retrying an error group: first how many jobs it may touch (from the queue's counters), then
 * bounded batches, each answer showing "n of N" and asking for the next batch as it loads.
 */
import { Csrf } from "./action.tsx";
import { BULK_BATCH } from "./bulk-actions.tsx";
import { count } from "./time.tsx";
import { useUi } from "../ui-context.ts";

export const retryPath = (queue: string, type: string) => `/errors/${encodeURIComponent(queue)}/${encodeURIComponent(type)}/retry`;

export function GroupRetryPreview({ queue, type, failedNow }: { queue: string; type: string; failedNow: number }) {
  const ui = useUi();
  if (!ui.can("admin")) return null;
  const to = retryPath(queue, type);
  return (
    <div id="group-retry" hx-morph-skip-children>
      {failedNow === 0
        ? <p class="empty">No job of {queue} is failed now: nothing to retry.</p>
        : (
          <form method="post" action={to} hx-post={to} hx-target="#group-retry" hx-swap="innerHTML"
            hx-confirm={`Retry the failed jobs of ${queue} whose last error is ${type}?`}>
            <Csrf />
            <input type="hidden" name="total" value={String(failedNow)} />
            <p>
              <strong data-retry-bound>{count(failedNow)}</strong> jobs of <code>{queue}</code> are failed now (any error type); those whose
              last error is <code>{type}</code> run again, {count(BULK_BATCH)} per step.
            </p>
            <button type="submit" class="danger">Retry this group's failed jobs</button>
          </form>
        )}
    </div>
  );
}

/** One step's answer: progress and the request for the next step, or the final count. */
export function GroupRetryProgress({ queue, type, done, total, finished }: { queue: string; type: string; done: number; total: number; finished: boolean }) {
  const to = retryPath(queue, type);
  if (finished) {
    return (
      <p class="flash ok" role="status" data-retry-done={String(done)}>
        Retried {count(done)} failed {done === 1 ? "job" : "jobs"} of <code>{queue}</code> whose last error was <code>{type}</code>.
      </p>
    );
  }
  const shown = Math.max(total, done);
  return (
    <form method="post" action={to} hx-post={to} hx-trigger="load" hx-target="#group-retry" hx-swap="innerHTML" role="status">
      <Csrf />
      <input type="hidden" name="done" value={String(done)} />
      <input type="hidden" name="total" value={String(total)} />
      <p data-retry-progress>Retrying… {count(done)} of at most {count(shown)} done.</p>
      <div class="load" aria-hidden="true"><span style={`width:${Math.min(100, Math.round((done / Math.max(shown, 1)) * 100))}%`}></span></div>
      <noscript><button type="submit">Continue</button></noscript>
    </form>
  );
}
