/** @jsxImportSource hono/jsx */
/** Queues: every queue with its counts by state, last hour's throughput, failure rate and p95 run time; pause, resume, purge, settings. */
import type { QueueSummary } from "../../src/core/store.ts";
import type { QueueStatsView } from "../../src/monitor/stats.ts";
import { Badge, PausedBadge } from "../components/badges.tsx";
import { BulkSlot, PurgePicker } from "../components/bulk-actions.tsx";
import { STATES } from "../components/counts.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { OwnQueueBadge, QueuePauseAction, queuePath } from "../components/queue-badges.tsx";
import { count, duration } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";
import { useUi } from "../ui-context.ts";

/** A queue with its last hour's figures and how many workers taking its jobs are online. */
export type QueueListItem = {
  queue: QueueSummary;
  stats: QueueStatsView | null;
  workersOnline: number;
  /** Since when its longest-waiting job has been runnable; null when none waits. */
  oldestWaiting: number | null;
};

/** Who takes the queue's jobs: its push target, its online workers, or (when jobs wait) nobody. */
function ServedBy({ item }: { item: QueueListItem }) {
  const { queue, workersOnline } = item;
  if (queue.target) return <span class="hint" title={`spool delivers its jobs to ${queue.target.url}`}>push target</span>;
  if (workersOnline > 0) return <a class="hint" href={`/workers?queue=${encodeURIComponent(queue.name)}`}>{workersOnline} {workersOnline === 1 ? "worker" : "workers"}</a>;
  if (queue.counts.waiting > 0) return <Badge tone="bad" icon="warn">no worker online</Badge>;
  return <span class="hint">no worker online</span>;
}

const percent = (rate: number | null) => (rate === null ? "—" : `${Math.round(rate * 100)} %`);

function QueueRow({ item }: { item: QueueListItem }) {
  const ui = useUi();
  const { queue, stats } = item;
  const hour = stats?.lastHour;
  const href = queuePath(queue.name);
  return (
    <tr data-queue={queue.name}>
      <td>
        <a href={href}><strong>{queue.name}</strong></a>
        <span class="sub"><PausedBadge paused={queue.paused} /> <OwnQueueBadge name={queue.name} /> <ServedBy item={item} /></span>
      </td>
      {STATES.map((state) => (
        <td class="num" data-count={state} data-label={state}>
          {queue.counts[state] === 0 ? <span class="muted">0</span> : <a href={`${href}?state=${state}`}>{count(queue.counts[state])}</a>}
          {state === "waiting" && item.oldestWaiting !== null && (
            <span class="sub" data-oldest-waiting title="How long the job that has waited longest has been runnable">oldest {duration(Math.max(0, ui.now - item.oldestWaiting))}</span>
          )}
        </td>
      ))}
      <td class="num nowrap" title="completed / failed per minute, last hour" data-label="per min">{hour ? `${hour.throughputPerMinute.completed} / ${hour.throughputPerMinute.failed}` : "—"}</td>
      <td class="num" data-label="failed %">{percent(hour?.failureRate ?? null)}</td>
      <td class="num nowrap" data-label="p95 run">{duration(hour?.runTime.p95Ms)}</td>
      <td class="wide-sm">
        <div class="actions">
          <QueuePauseAction name={queue.name} paused={queue.paused} />
          {ui.can("admin") && <PurgePicker queue={queue.name} counts={queue.counts} />}
          <a href={`${href}/settings`}>Settings</a>
        </div>
      </td>
    </tr>
  );
}

export function QueuesPage({ items }: { items: QueueListItem[] }) {
  const paused = items.filter((i) => i.queue.paused).length;
  return (
    <>
      <PageHead title="Queues" sub={<>{items.length} {items.length === 1 ? "queue" : "queues"}{paused > 0 && `, ${paused} paused`}. Counts are live; rates and p95 cover the last hour.</>} />
      <BulkSlot />
      <section class="panel" aria-label="Queues">
        {items.length === 0
          ? <p class="empty">No queue yet: a queue appears with its first job or its first settings.</p>
          : (
            <div class="table-wrap">
              <table class="stack-sm" data-queues>
                <thead>
                  <tr>
                    <th>Queue</th>
                    {STATES.map((s) => <th class="num">{s}</th>)}
                    <th class="num" title="completed / failed per minute">per min</th>
                    <th class="num">failed %</th>
                    <th class="num">p95 run</th>
                    <th>Actions</th>
                  </tr>
                </thead>
                <tbody>{items.map((item) => <QueueRow item={item} />)}</tbody>
              </table>
            </div>
          )}
      </section>
      <ApiCalls
        calls={[
          { path: "/v1/queues", note: "Queues with counts and config:" },
          { path: "/v1/stats", note: "Throughput, failure rate and timings per queue:" },
          { method: "POST", path: "/v1/queues/QUEUE/pause", note: "Pause (resume likewise with /resume):" },
          { method: "POST", path: "/v1/queues/QUEUE/purge?state=completed", note: "Purge one state (not active):" },
        ]}
      />
    </>
  );
}
