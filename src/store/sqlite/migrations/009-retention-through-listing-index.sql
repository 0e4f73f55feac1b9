-- Retention finds the finished jobs it deletes through jobs_by_queue_state (queue, state, id),
-- bounded by the first job created after the cutoff (ids grow with creation time and no job
-- finishes before it was created), instead of an index of its own: jobs_finished was written
-- at every completion, a sixth of a transaction's pages at concurrency 1 and 10, for a pass
-- that runs once a day (src/store/sqlite/schedule-ops.ts, jobsPrune).
DROP INDEX jobs_finished;
