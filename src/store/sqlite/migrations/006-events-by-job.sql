-- A job's own events (the dashboard's job timeline) read through an index instead of a scan
-- of the whole log: only job events are in it.
CREATE INDEX events_by_job ON events (job_id, id) WHERE job_id IS NOT NULL;
