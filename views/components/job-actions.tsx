/** @jsxImportSource hono/jsx */
/** What an operator can do to one job, by its state: retry (resume or restart), cancel (force when active), delete. */
import type { Job } from "../../src/core/job.ts";
import { Action } from "./action.tsx";
import type { ApiCall } from "./curl.tsx";

const FINAL = ["completed", "failed", "cancelled"];

export function JobActions({ job }: { job: Job }) {
  const to = `/jobs/${encodeURIComponent(job.id)}`;
  const retryable = job.state === "failed" || job.state === "cancelled";
  const resumable = retryable && job.checkpoint !== null && job.checkpoint !== undefined;
  return (
    <div class="actions" data-job-actions>
      {retryable && (resumable
        ? <>
            <Action to={`${to}/retry`} fields={{ mode: "resume" }} label="Retry from checkpoint" tone="primary" title="Run again, handing the worker its saved checkpoint" />
            <Action to={`${to}/retry`} fields={{ mode: "restart" }} label="Restart from scratch" title="Run again without the checkpoint" confirm="Drop the checkpoint and run this job from the start?" />
          </>
        : <Action to={`${to}/retry`} fields={{ mode: "resume" }} label="Retry" tone="primary" />)}
      {!FINAL.includes(job.state) && !(job.state === "active" && job.cancelRequested) && (
        <Action to={`${to}/cancel`} label={job.state === "active" ? "Ask to cancel" : "Cancel"} confirm={`Cancel job ${job.id}?`} />
      )}
      {job.state === "active" && (
        <Action to={`${to}/cancel`} fields={{ force: "true" }} label="Force cancel" tone="danger" confirm={`End job ${job.id} now? Its worker's result will be refused.`} />
      )}
      {FINAL.includes(job.state) && (
        <Action to={`${to}/delete`} label="Delete" tone="danger" confirm={`Delete job ${job.id} for good?`} />
      )}
    </div>
  );
}

/** The API calls behind the page and its actions. */
export function jobApiCalls(job: Job): ApiCall[] {
  const path = `/v1/jobs/${encodeURIComponent(job.id)}`;
  return [
    { path, note: "This job:" },
    { path: `/v1/events?job=${encodeURIComponent(job.id)}`, note: "Follow its events (ends after its final one):" },
    { method: "POST", path: `${path}/retry`, body: {}, note: "Retry a failed or cancelled job, resuming from its checkpoint:" },
    { method: "POST", path: `${path}/retry`, body: { resetCheckpoint: true }, note: "Retry from scratch:" },
    { method: "POST", path: `${path}/cancel`, note: "Cancel (an active job is asked to stop):" },
    { method: "POST", path: `${path}/cancel?force=true`, note: "End an active job now:" },
    { method: "DELETE", path, note: "Delete a finished job:" },
  ];
}
