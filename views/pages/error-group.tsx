/** @jsxImportSource hono/jsx */
/** One error group: its figures, the failed attempts of that type newest first (paged by cursor), and retrying the group. */
import type { Job } from "../../src/core/job.ts";
import type { ErrorFailure } from "../../src/core/monitor-store.ts";
import type { ErrorGroup } from "../../src/monitor/error-groups.ts";
import { Sparkline } from "../charts/sparkline.tsx";
import { StateBadge } from "../components/badges.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { groupHref } from "../components/error-group-row.tsx";
import { BULK_BATCH } from "../components/bulk-actions.tsx";
import { GroupRetryPreview } from "../components/error-retry.tsx";
import { iso } from "../../src/core/iso-time.ts";
import { Ago, count } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";

export type FailureRow = { failure: ErrorFailure; job: Job | null };

export type ErrorGroupData = {
  queue: string;
  type: string;
  since: number;
  /** The group's figures in the window; null when it had no failure there. */
  group: ErrorGroup | null;
  failedNow: number;
  rows: FailureRow[];
  cursor: string | null;
  nextCursor: string | null;
};

function message(row: FailureRow, type: string): string | null {
  const errors = row.job?.errors ?? [];
  return (errors.find((e) => e.attempt === row.failure.attempt && e.type === type) ?? errors.findLast((e) => e.type === type))?.message ?? null;
}

export function ErrorGroupPage({ data }: { data: ErrorGroupData }) {
  const { queue, type, group } = data;
  const since = iso(data.since);
  const here = groupHref(queue, type, since);
  return (
    <>
      <PageHead title={<><code>{type}</code> in {queue}</>} crumbs={[["/errors", "Errors"], [`/errors?queue=${encodeURIComponent(queue)}&since=${encodeURIComponent(since)}`, queue]]}
        sub={<>Every failed attempt of this type still in the event log, newest first.</>} />
      <div class="grid">
        <section class="panel" aria-labelledby="group-figures">
          <h2 id="group-figures">In the window <small>since <Ago ms={data.since} /></small></h2>
          {group
            ? (
              <>
                <div class="stats">
                  <div class="stat"><span class="n" data-group-count>{count(group.count)}</span><span class="l">failures</span></div>
                  <div class="stat"><span class="n"><Ago ms={group.lastSeen} /></span><span class="l">last seen</span></div>
                </div>
                <p class="hint">first seen <Ago ms={group.firstSeen} /></p>
                <Sparkline tone="bad" values={group.series.map((p) => p.n)} title={`${type} failures in ${queue} over the window`} />
              </>
            )
            : <p class="empty">No failures of this type in this window.</p>}
        </section>
        <section class="panel" aria-labelledby="group-retry-title">
          <h2 id="group-retry-title">Retry the group</h2>
          <GroupRetryPreview queue={queue} type={type} failedNow={data.failedNow} />
          <p class="hint">Or see <a href={`/queues/${encodeURIComponent(queue)}?state=failed`}>all failed jobs of {queue}</a>.</p>
        </section>
      </div>
      <section class="panel" aria-labelledby="failures">
        <h2 id="failures">Failed attempts</h2>
        {data.rows.length === 0
          ? <p class="empty">The event log holds no failure of this type.</p>
          : (
            <div class="table-wrap">
              <table class="stack-sm">
                <thead><tr><th>Job</th><th>When</th><th class="num">Attempt</th><th>State now</th><th>Message</th></tr></thead>
                <tbody>
                  {data.rows.map((row) => (
                    <tr data-failure={row.failure.jobId}>
                      <td data-label="Job"><a href={`/jobs/${encodeURIComponent(row.failure.jobId)}`}>job {row.failure.jobId}</a></td>
                      <td data-label="When"><Ago ms={row.failure.at} /></td>
                      <td class="num" data-label="Attempt">{row.failure.attempt ?? "—"}</td>
                      <td data-label="State now">{row.job ? <StateBadge state={row.job.state} /> : <span class="hint">deleted</span>}</td>
                      <td class="wide-sm" data-label="Message">{message(row, type) ?? "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        <nav class="pager" aria-label="Pages">
          {data.cursor && <a class="button small" href={here}>Newest</a>}
          {data.nextCursor && <a class="button small" rel="next" href={`${here}&cursor=${encodeURIComponent(data.nextCursor)}`}>Older</a>}
        </nav>
      </section>
      <ApiCalls calls={[
        { path: `/v1/errors?${new URLSearchParams({ queue, since })}` },
        { path: `/v1/jobs?${new URLSearchParams({ queue, state: "failed" })}`, note: "Failed jobs of the queue (any type):" },
        { method: "POST", path: `/v1/queues/${encodeURIComponent(queue)}/retry-failed?${new URLSearchParams({ errorType: type })}`, note: `Retry the group (the page does it ${BULK_BATCH} at a time):` },
      ]} />
    </>
  );
}
