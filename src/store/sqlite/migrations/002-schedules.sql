-- Schedules: stored definitions with the scheduler's state, their run history, and the
-- index retention deletes by.

CREATE TABLE schedules (
  name           TEXT PRIMARY KEY,
  cron           TEXT,
  every          TEXT,
  timezone       TEXT    NOT NULL,
  queue          TEXT    NOT NULL,
  payload        TEXT    NOT NULL,
  job_options    TEXT    NOT NULL,
  enabled        INTEGER NOT NULL,
  overlap        TEXT    NOT NULL,
  catch_up       TEXT    NOT NULL,
  builtin        INTEGER NOT NULL DEFAULT 0,
  next_fire_at   INTEGER,
  last_fire_at   INTEGER,
  last_job_id    INTEGER,
  last_result    TEXT,
  last_result_at INTEGER,
  revision       INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL,
  updated_at     INTEGER NOT NULL
) WITHOUT ROWID;

-- The scheduler's pass reads only enabled schedules that are due.
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE enabled = 1 AND next_fire_at IS NOT NULL;

CREATE TABLE schedule_runs (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  schedule        TEXT    NOT NULL,
  kind            TEXT    NOT NULL,
  fire_time       INTEGER NOT NULL,
  last_fire_time  INTEGER NOT NULL,
  count           INTEGER NOT NULL DEFAULT 1,
  manual          INTEGER NOT NULL DEFAULT 0,
  catch_up        INTEGER NOT NULL DEFAULT 0,
  job_id          INTEGER,
  -- The job's outcome as it was when its row was deleted (retention, purge, delete).
  job_state       TEXT,
  job_finished_at INTEGER,
  job_error       TEXT,
  at              INTEGER NOT NULL
);

CREATE INDEX schedule_runs_by_schedule ON schedule_runs (schedule, id);
CREATE INDEX schedule_runs_by_job ON schedule_runs (job_id) WHERE job_id IS NOT NULL;

-- A run keeps its job's outcome after the job row is gone.
CREATE TRIGGER jobs_delete_keeps_schedule_outcome AFTER DELETE ON jobs BEGIN
  UPDATE schedule_runs
     SET job_state = OLD.state,
         job_finished_at = OLD.finished_at,
         job_error = json_extract(OLD.errors, '$[#-1].message')
   WHERE job_id = OLD.id;
END;

-- Retention deletes finished jobs by age, per queue and state, in bounded batches.
CREATE INDEX jobs_finished ON jobs (queue, state, finished_at) WHERE finished_at IS NOT NULL;
