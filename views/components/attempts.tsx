/** @jsxImportSource hono/jsx */
/** Attempts on the dashboard: a job's against its maxAttempts (those given back at a shutdown shown apart, as they do not count), and the last hour's retried attempts. */
import type { Job } from "../../src/core/job.ts";
import { countedAttempts } from "../../src/core/retry.ts";
import { count } from "./time.tsx";

type Counted = Pick<Job, "attempts" | "maxAttempts" | "givenBack">;

/** "1 of 3", with "· 1 more given back unfinished, not counted" when there were such. */
export function AttemptsOf({ job }: { job: Counted }) {
  const back = job.givenBack;
  return (
    <>
      {countedAttempts(job)} of {job.maxAttempts}
      {back > 0 && <span class="hint"> · {back} more given back unfinished (a shutdown), not counted</span>}
    </>
  );
}

/** "1/3" for a table cell, "+1" beside it for attempts given back. */
export function AttemptsCell({ job }: { job: Counted }) {
  const back = job.givenBack;
  return (
    <>
      {countedAttempts(job)}/{job.maxAttempts}
      {back > 0 && <span class="hint" title={`${back} more given back unfinished (a shutdown), not counted`}> +{back}</span>}
    </>
  );
}

/**
 * Failed attempts that were set to run again over the last hour: a queue whose every attempt
 * fails shows here (in the warning colour) long before any job fails for good.
 */
export function RetriedStat({ retried }: { retried: number }) {
  return (
    <div class={retried > 0 ? "stat warn" : "stat"} title="Failed attempts set to run again (retries) in the last hour">
      <span class="n" data-retried>{count(retried)}</span>
      <span class="l">attempts retried</span>
    </div>
  );
}
