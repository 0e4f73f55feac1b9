-- Job changes write their counts, their event and their worker's figures from the store's own
-- code (src/store/sqlite/change-log.ts, the event chosen by src/core/job-events.ts), gathered
-- per write and written in its transaction: one count update per queue and state and a few
-- multi-row event inserts per batch, where a trigger on every row change (and the cost of
-- having any UPDATE trigger on jobs at all) was about a third of a job's time. Row deletions
-- keep their count trigger (jobs_count_delete) and the schedule outcome trigger.
DROP TRIGGER jobs_count_insert;
DROP TRIGGER jobs_count_update;
DROP TRIGGER jobs_event_insert;
DROP TRIGGER jobs_event_update;
DROP TRIGGER lanes_event_handon;
DROP TRIGGER workers_count_failures;
