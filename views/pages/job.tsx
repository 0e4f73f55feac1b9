/** @jsxImportSource hono/jsx */
/** Job: what it carries and returned, how far it got, every attempt's error, its timeline, who holds it; retry, cancel, delete. */
import type { Job } from "../../src/core/job.ts";
import type { MonitorEvent } from "../../src/core/monitor-store.ts";
import { DEFAULT_TARGET_TIMEOUT_MS, type PushTarget } from "../../src/core/queue-config.ts";
import { AttemptsOf } from "../components/attempts.tsx";
import { StateBadge } from "../components/badges.tsx";
import { ApiCalls } from "../components/curl.tsx";
import { JobActions, jobApiCalls } from "../components/job-actions.tsx";
import { JobProgress } from "../components/job-progress.tsx";
import { JobTimeline } from "../components/job-timeline.tsx";
import { Ago, duration } from "../components/time.tsx";
import { PageHead } from "../layout.tsx";

export type JobPageData = {
  job: Job;
  timeline: MonitorEvent[];
  timelineLimit: number;
  /** The schedule whose fire enqueued this job, from its idempotency key. */
  schedule: { name: string; fireTime: number } | null;
  /** Its queue's push target (secrets hidden from non-admins), when spool delivers the queue's jobs. */
  target: PushTarget | null;
};

const q = encodeURIComponent;

function Json({ value, label }: { value: unknown; label: string }) {
  if (value === null || value === undefined) return <p class="empty">No {label}.</p>;
  return <pre tabindex={0} aria-label={label} data-json={label}>{JSON.stringify(value, null, 2)}</pre>;
}

function Facts({ data }: { data: JobPageData }) {
  const { job, schedule, target } = data;
  return (
    <dl class="kv">
      <dt>Queue</dt><dd><a href={`/queues/${q(job.queue)}`}>{job.queue}</a></dd>
      <dt>Key</dt>
      <dd>{job.key === null ? <span class="hint">none (not ordered)</span> : <a href={`/lanes?queue=${q(job.queue)}&key=${q(job.key)}`} data-lane-link><code>{job.key}</code> — its lane</a>}</dd>
      <dt>Priority</dt><dd>{job.priority}</dd>
      <dt>Attempts</dt><dd><AttemptsOf job={job} /></dd>
      <dt>Runs at</dt><dd><Ago ms={job.runAt} /></dd>
      <dt>Created</dt><dd><Ago ms={job.createdAt} /></dd>
      <dt>Started</dt><dd><Ago ms={job.startedAt} /></dd>
      <dt>Finished</dt><dd><Ago ms={job.finishedAt} />{job.finishedAt !== null && job.startedAt !== null && <span class="hint"> · ran {duration(job.finishedAt - job.startedAt)}</span>}</dd>
      <dt>Timeout</dt>
      <dd>
        {job.timeoutMs === null ? "none" : duration(job.timeoutMs)}
        {target && <span class="hint"> · its push target is given {duration(Math.min(target.timeoutMs ?? DEFAULT_TARGET_TIMEOUT_MS, job.timeoutMs ?? Infinity))} to answer</span>}
      </dd>
      {target && <><dt>Delivered to</dt><dd><code class="clip" title={target.url}>{target.url}</code> <span class="hint">push target of its queue</span></dd></>}
      <dt>Backoff</dt><dd>{job.backoff.type} from {duration(job.backoff.delayMs)}</dd>
      {job.idempotencyKey !== null && <><dt>Idempotency key</dt><dd><code>{job.idempotencyKey}</code></dd></>}
      {schedule && (
        <><dt>Schedule</dt><dd><a href={`/schedules/${q(schedule.name)}`} data-schedule-link>{schedule.name}</a> <span class="hint">fire of <Ago ms={schedule.fireTime} /></span></dd></>
      )}
    </dl>
  );
}

function Lease({ job }: { job: Job }) {
  const worker = job.workerId === null ? null : <a href={`/workers#worker-${q(job.workerId)}`}><code>{job.workerId}</code></a>;
  if (job.state !== "active") {
    return <p class="empty">Not leased: only active jobs are held by a worker.{worker && <> Last run by {worker}.</>}</p>;
  }
  return (
    <dl class="kv" data-lease>
      <dt>Worker</dt><dd>{worker ?? "unknown"}</dd>
      <dt>Lease expires</dt><dd><Ago ms={job.leaseExpiresAt} /></dd>
      <dt>Deadline</dt><dd><Ago ms={job.deadlineAt} empty="none" /></dd>
      <dt>Cancel</dt><dd data-cancel-requested={String(job.cancelRequested)}>{job.cancelRequested ? "requested: the worker is told in its next heartbeat" : "not requested"}</dd>
    </dl>
  );
}

function Attempts({ job }: { job: Job }) {
  if (job.errors.length === 0) return <p class="empty">No attempt has failed.</p>;
  return (
    <div data-errors>
      {[...job.errors].reverse().map((e) => (
        <details data-error={e.attempt}>
          <summary>
            Attempt {e.attempt} · <code>{e.type}</code> · <Ago ms={e.at} />
            <span class="error-message">{e.message}</span>
          </summary>
          <pre tabindex={0}>{e.stack ?? e.message}</pre>
        </details>
      ))}
    </div>
  );
}

export function JobPage({ data }: { data: JobPageData }) {
  const { job } = data;
  return (
    <>
      <PageHead
        title={<>Job <code>{job.id}</code></>}
        crumbs={[["/queues", "Queues"], [`/queues/${q(job.queue)}`, job.queue]]}
        sub={<><StateBadge state={job.state} /> attempt <AttemptsOf job={job} />{job.cancelRequested && job.state === "active" && <> · cancel requested</>}</>}
      >
        <JobActions job={job} />
      </PageHead>
      <div class="grid">
        <section class="panel" aria-labelledby="job-facts"><h2 id="job-facts">Details</h2><Facts data={data} /></section>
        <section class="panel" aria-labelledby="job-progress">
          <h2 id="job-progress">Progress</h2>
          <JobProgress job={job} />
          <h3 style="margin-top:14px">Lease</h3>
          <Lease job={job} />
        </section>
      </div>
      <div class="grid wide">
        <section class="panel" aria-labelledby="job-payload"><h2 id="job-payload">Payload</h2><Json value={job.payload} label="payload" /></section>
        <section class="panel" aria-labelledby="job-result"><h2 id="job-result">Result</h2><Json value={job.result} label="result" /></section>
      </div>
      <section class="panel" aria-labelledby="job-checkpoint">
        <h2 id="job-checkpoint">Checkpoint <small>handed back on the next attempt so work resumes</small></h2>
        <Json value={job.checkpoint} label="checkpoint" />
      </section>
      <section class="panel" aria-labelledby="job-errors">
        <h2 id="job-errors">Failed attempts <small>newest first; open one for its stack</small></h2>
        <Attempts job={job} />
      </section>
      <section class="panel" aria-labelledby="job-timeline">
        <h2 id="job-timeline">Timeline <small>from the event log</small></h2>
        <JobTimeline events={data.timeline} limit={data.timelineLimit} />
      </section>
      <ApiCalls calls={jobApiCalls(job)} />
    </>
  );
}
