-- jobs_by_queue_state no longer holds waiting and active jobs: they are listed through the
-- indexes claims already keep (jobs_runnable, one range per priority; jobs_leased), so
-- enqueueing, claiming and completing a job touch it once (the finished job's entry) instead
-- of four times. Queries that use it name its condition (src/store/sqlite/job-list.ts).
DROP INDEX jobs_by_queue_state;
CREATE INDEX jobs_by_queue_state ON jobs (queue, state, id) WHERE state <> 'waiting' AND state <> 'active';
