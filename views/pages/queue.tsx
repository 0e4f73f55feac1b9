/** @jsxImportSource hono/jsx */
/** One queue's jobs: tabs by state with exact counts, key filter and search, keyset paging, charts, bulk actions and the enqueue form. */
import type { Job } from "../../src/core/job.ts";
import type { SeriesPoint } from "../../src/core/monitor-store.ts";
import { SEARCH_WINDOW, type QueueSummary } from "../../src/core/store.ts";
import type { WindowStats } from "../../src/monitor/stats.ts";
import { ThroughputCharts } from "../charts/throughput.tsx";
import { PausedBadge } from "../components/badges.tsx";
import { BulkPickers } from "../components/bulk-actions.tsx";
import { STATES } from "../components/counts.tsx";
import { ApiCalls, type ApiCall } from "../components/curl.tsx";
import { JobListTable } from "../components/job-list-table.tsx";
import { OwnQueueBadge, QueuePauseAction, queuePath } from "../components/queue-badges.tsx";
import { EnqueueForm, type EnqueueValues } from "../components/queue-enqueue-form.tsx";
import type { FieldErrors } from "../components/queue-form-field.tsx";
import { RetriedStat } from "../components/attempts.tsx";
import { count, duration } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";
import { useUi } from "../ui-context.ts";

/** What the URL says to show: ?state=&key=&q=&cursor= (any view can be bookmarked). */
export type JobFilter = { state?: string; key?: string; q?: string; cursor?: string };

export type QueuePageData = {
  queue: QueueSummary;
  filter: JobFilter;
  jobs: Job[];
  nextCursor: string | null;
  pageSize: number;
  lastHourStats: WindowStats | null;
  lastHour: SeriesPoint[];
  lastDay: SeriesPoint[];
  /** Error types of the queue's recent failures, for retrying one kind. */
  errorTypes: string[];
  /** Whether the queue exists (it has had a job or settings); a mistyped name reads as an empty queue otherwise. */
  known: boolean;
  /** Since when its longest-waiting job has been runnable; null when none waits. */
  oldestWaiting: number | null;
  /** An enqueue refused with these errors, shown again with what was typed. */
  enqueue?: { values: EnqueueValues; errors: FieldErrors };
};

/** The page's URL for a filter; empty parts are left out. */
export function filterHref(queue: string, f: JobFilter): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(f)) if (value) params.set(name, value);
  const query = params.toString();
  return queuePath(queue) + (query ? `?${query}` : "");
}

function listCall(queue: string, f: JobFilter, pageSize: number): ApiCall {
  const params = new URLSearchParams({ queue });
  for (const [name, value] of Object.entries(f)) if (value) params.set(name, value);
  params.set("limit", String(pageSize));
  return { path: `/v1/jobs?${params}`, note: "This list (follow nextCursor for older jobs):" };
}

function Tabs({ queue, filter }: { queue: QueueSummary; filter: JobFilter }) {
  const total = STATES.reduce((sum, s) => sum + queue.counts[s], 0);
  const tab = (state: string | undefined, label: string, n: number) => (
    <a href={filterHref(queue.name, { key: filter.key, q: filter.q, state })} aria-current={filter.state === state ? "page" : undefined} data-tab={state ?? "all"}>
      {label} <span class="count">{count(n)}</span>
    </a>
  );
  return (
    <nav class="tabs" aria-label="Job state">
      {tab(undefined, "All", total)}
      {STATES.map((s) => tab(s, s, queue.counts[s]))}
    </nav>
  );
}

function Filters({ queue, filter }: { queue: string; filter: JobFilter }) {
  return (
    <form class="filters" method="get" action={queuePath(queue)} role="search" aria-label="Filter jobs">
      {filter.state && <input type="hidden" name="state" value={filter.state} />}
      <div class="field">
        <label for="filter-key">Key</label>
        <input id="filter-key" name="key" value={filter.key ?? ""} placeholder="exact key" />
      </div>
      <div class="field">
        <label for="filter-q">Search</label>
        <input id="filter-q" name="q" type="search" value={filter.q ?? ""} placeholder="id, key or payload text" />
      </div>
      <button type="submit">Filter</button>
      {(filter.key || filter.q) && <a href={filterHref(queue, { state: filter.state })}>Clear</a>}
    </form>
  );
}

function HourFigures({ stats, oldestWaiting }: { stats: WindowStats | null; oldestWaiting: number | null }) {
  const { now } = useUi();
  const rate = stats?.failureRate ?? null;
  return (
    <div class="stats">
      <div class="stat"><span class="n">{stats ? count(stats.completed) : "0"}</span><span class="l">completed, last hour</span></div>
      <div class="stat"><span class="n">{stats ? count(stats.failed) : "0"}</span><span class="l">failed, last hour</span></div>
      <div class="stat"><span class="n">{rate === null ? "—" : `${Math.round(rate * 100)} %`}</span><span class="l">failure rate</span></div>
      <div class="stat"><span class="n">{duration(stats?.runTime.p95Ms)}</span><span class="l">p95 run</span></div>
      <RetriedStat retried={stats?.retried ?? 0} />
      <div class="stat"><span class="n">{duration(stats?.waitTime.avgMs)}</span><span class="l">avg wait to start</span></div>
      <div class="stat" title="How long the job that has waited longest has been runnable"><span class="n" data-oldest-waiting>{oldestWaiting === null ? "—" : duration(Math.max(0, now - oldestWaiting))}</span><span class="l">oldest waiting</span></div>
    </div>
  );
}

/**
 * What an empty list says. A search reads a bounded window of jobs a page (SEARCH_WINDOW), so
 * an empty page with older jobs left says how far it looked.
 */
function emptyListText(filter: QueuePageData["filter"], more: boolean): string {
  if (filter.q && more) {
    const looked = filter.cursor ? `the ${count(SEARCH_WINDOW)} jobs searched on this page` : `the newest ${count(SEARCH_WINDOW)} jobs`;
    return `No match in ${looked}; “Search older jobs” looks further back.`;
  }
  return filter.cursor ? "No older jobs." : filter.key || filter.q ? "No job matches these filters." : "No jobs here.";
}

export function QueuePage({ data }: { data: QueuePageData }) {
  const ui = useUi();
  const { queue, filter } = data;
  const path = queuePath(queue.name);
  const api = `/v1/queues/${encodeURIComponent(queue.name)}`;
  const filtered = Boolean(filter.key || filter.q);
  return (
    <>
      <PageHead
        title={queue.name}
        crumbs={[["/queues", "Queues"]]}
        sub={<><PausedBadge paused={queue.paused} /> <OwnQueueBadge name={queue.name} /></>}
      >
        <QueuePauseAction name={queue.name} paused={queue.paused} />
        <a class="button small" href={`${path}/settings`}>Settings</a>
      </PageHead>
      {!data.known && (
        <p class="flash info" data-unknown-queue>
          No queue is named <code>{queue.name}</code> yet: a queue appears with its first job or its first settings. If you expected one, check the name on <a href="/queues">Queues</a>.
        </p>
      )}
      <section class="panel" aria-label="Last hour">
        <HourFigures stats={data.lastHourStats} oldestWaiting={data.oldestWaiting} />
      </section>
      <section class="panel" aria-labelledby="jobs-title">
        <h2 id="jobs-title">Jobs <small>newest first{filtered && "; filtered"}</small></h2>
        <Tabs queue={queue} filter={filter} />
        <Filters queue={queue.name} filter={filter} />
        {data.jobs.length === 0
          ? <p class="empty">{emptyListText(filter, data.nextCursor !== null)}</p>
          : <JobListTable jobs={data.jobs} />}
        <nav class="pager" aria-label="Pages">
          {filter.cursor && <a href={filterHref(queue.name, { ...filter, cursor: undefined })}>Newest</a>}
          {data.nextCursor && (
            <a href={filterHref(queue.name, { ...filter, cursor: data.nextCursor })} rel="next" data-older>{filter.q ? "Search older jobs" : "Older"}</a>
          )}
        </nav>
        <ApiCalls calls={[listCall(queue.name, filter, data.pageSize)]} summary="API call" />
      </section>
      <div class="grid wide">
        {ui.can("admin") && (
          <section class="panel" aria-labelledby="bulk-title">
            <h2 id="bulk-title">Bulk actions <small>each shows how many jobs it touches before it runs</small></h2>
            <BulkPickers queue={queue.name} counts={queue.counts} errorTypes={data.errorTypes} />
            <ApiCalls
              calls={[
                { method: "POST", path: `${api}/retry-failed`, note: "Retry failed jobs (add ?errorType=TYPE for one kind):" },
                { method: "POST", path: `${api}/cancel-waiting`, note: "Cancel waiting, delayed and blocked jobs:" },
                { method: "POST", path: `${api}/purge?state=completed`, note: "Delete the jobs of one state (here: clean completed):" },
                { method: "POST", path: `${api}/pause`, note: "Pause (resume likewise with /resume):" },
              ]}
            />
          </section>
        )}
        {ui.can("enqueue") && (
          <section class="panel" aria-labelledby="enqueue-title">
            <h2 id="enqueue-title">Enqueue a job</h2>
            <div id="enqueue" hx-morph-skip-children>
              <EnqueueForm queue={queue.name} values={data.enqueue?.values} errors={data.enqueue?.errors} />
            </div>
          </section>
        )}
      </div>
      <ThroughputCharts lastHour={data.lastHour} lastDay={data.lastDay} what={`Queue ${queue.name}`} />
    </>
  );
}
