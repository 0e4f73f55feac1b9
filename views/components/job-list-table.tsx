/** @jsxImportSource hono/jsx */
/** A page of jobs as a table: id, key (its lane), state, priority, attempts, times and the last error. */
import type { Job } from "../../src/core/job.ts";
import { AttemptsCell } from "./attempts.tsx";
import { StateBadge } from "./badges.tsx";
import { Ago } from "./time.tsx";

const short = (text: string, max = 80) => (text.length > max ? text.slice(0, max - 1) + "…" : text);

export function JobListTable({ jobs }: { jobs: Job[] }) {
  return (
    <div class="table-wrap">
      <table data-jobs>
        <thead>
          <tr>
            <th>Job</th><th>State</th><th>Key</th><th class="num hide-sm">Priority</th><th class="num">Attempts</th>
            <th class="hide-sm">Created</th><th class="hide-sm">Finished</th><th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {jobs.map((job) => {
            const error = job.errors[job.errors.length - 1];
            return (
              <tr data-job={job.id}>
                <td><a href={`/jobs/${encodeURIComponent(job.id)}`}>#{job.id}</a></td>
                <td><StateBadge state={job.state} /></td>
                <td>
                  {job.key === null
                    ? <span class="muted">—</span>
                    : <a class="clip" href={`/lanes?queue=${encodeURIComponent(job.queue)}&key=${encodeURIComponent(job.key)}`} title={`The lane of key ${job.key}`}>{job.key}</a>}
                </td>
                <td class="num hide-sm">{job.priority}</td>
                <td class="num"><AttemptsCell job={job} /></td>
                <td class="hide-sm"><Ago ms={job.createdAt} /></td>
                <td class="hide-sm"><Ago ms={job.finishedAt} /></td>
                <td class="job-error">
                  {error
                    ? <><code>{error.type}</code><span class="sub" title={error.message}>{short(error.message)}</span></>
                    : <span class="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
