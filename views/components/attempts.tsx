/** @jsxImportSource hono/jsx */
/** A job's attempts against its maxAttempts: those given back unfinished (a shutdown) are shown apart, as they do not count. */
import type { Job } from "../../src/core/job.ts";
import { countedAttempts, givenBackAttempts } from "../../src/core/retry.ts";

type Counted = Pick<Job, "attempts" | "maxAttempts" | "errors">;

/** "1 of 3", with "· 1 more given back unfinished, not counted" when there were such. */
export function AttemptsOf({ job }: { job: Counted }) {
  const back = givenBackAttempts(job);
  return (
    <>
      {countedAttempts(job)} of {job.maxAttempts}
      {back > 0 && <span class="hint"> · {back} more given back unfinished (a shutdown), not counted</span>}
    </>
  );
}

/** "1/3" for a table cell, "+1" beside it for attempts given back. */
export function AttemptsCell({ job }: { job: Counted }) {
  const back = givenBackAttempts(job);
  return (
    <>
      {countedAttempts(job)}/{job.maxAttempts}
      {back > 0 && <span class="hint" title={`${back} more given back unfinished (a shutdown), not counted`}> +{back}</span>}
    </>
  );
}
