-- Monitoring: the event log, per-minute aggregates folded from it, alerts and stored reports.
--
-- Every job state change appends one row to `events`, written by a trigger inside the
-- transaction of the change itself: an event exists if and only if its change committed.
-- Triggers read no clock; `at` is the timestamp the store wrote for the change:
--   type            when                                       at              duration_ms
--   job.enqueued    insert                                     created_at      —
--   job.started     → active                                   started_at      started_at - run_at (wait)
--   job.completed   → completed                                finished_at     finished_at - started_at (run)
--   job.failed      → failed (attempts exhausted or no retry)  finished_at     —
--   job.retrying    active → waiting/delayed (retry scheduled) the error's at  —
--   job.cancelled   → cancelled                                finished_at     —
--   job.waiting,    blocked → waiting/delayed (lane hand-on)   lanes.since     —
--   job.delayed     other changes into waiting/delayed/blocked run_at          —
--   job.blocked     (due delayed job, operator retry)
-- error_type is the type of the error the change appended (failed, retrying; also a
-- cancel that ended a failing attempt); an attempt ended by lease expiry has type
-- `lease_expired`. Alert events (alert.firing, alert.resolved) are appended by the
-- monitor with their alert as JSON in `data`.
--
-- Aggregates are folded from the log in bulk: one transaction adds the events after the
-- cursor `stats_fold` to stats_minutes/stats_histogram/stats_errors/stats_slowest and moves
-- the cursor, so each event is counted exactly once. The log is pruned (oldest first,
-- never past the fold cursor, never the newest row, so ids only grow) and job rows may be
-- deleted by retention without touching the aggregates. Per event, a fold counts:
--   enqueued, started, completed, failed, cancelled, retried (job.retrying), expired
--   (error_type lease_expired), recovered (completed with attempt > 1), wait_ms and
--   run_ms (duration_ms sums), the duration's histogram bucket, failures by error type.
-- Histogram buckets: see HISTOGRAM_BOUNDS_MS in src/core/monitor-store.ts (index → upper
-- bound in ms, inclusive; the last bucket has no upper bound).

CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  at          INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  queue       TEXT,
  key         TEXT,
  job_id      INTEGER,
  state       TEXT,
  prev_state  TEXT,
  attempt     INTEGER,
  error_type  TEXT,
  duration_ms INTEGER,
  data        TEXT
);

CREATE TABLE monitor_cursors (
  name  TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO monitor_cursors (name, value) VALUES ('stats_fold', 0);

CREATE TABLE stats_minutes (
  minute    INTEGER NOT NULL,
  queue     TEXT    NOT NULL,
  enqueued  INTEGER NOT NULL DEFAULT 0,
  started   INTEGER NOT NULL DEFAULT 0,
  completed INTEGER NOT NULL DEFAULT 0,
  failed    INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  retried   INTEGER NOT NULL DEFAULT 0,
  expired   INTEGER NOT NULL DEFAULT 0,
  recovered INTEGER NOT NULL DEFAULT 0,
  run_ms    INTEGER NOT NULL DEFAULT 0,
  wait_ms   INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (minute, queue)
) WITHOUT ROWID;

-- metric: 'run' (completions) or 'wait' (starts).
CREATE TABLE stats_histogram (
  minute INTEGER NOT NULL,
  queue  TEXT    NOT NULL,
  metric TEXT    NOT NULL,
  bucket INTEGER NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (minute, queue, metric, bucket)
) WITHOUT ROWID;

-- Failed attempts (retried or final) by error type.
CREATE TABLE stats_errors (
  minute INTEGER NOT NULL,
  queue  TEXT    NOT NULL,
  type   TEXT    NOT NULL,
  n      INTEGER NOT NULL,
  PRIMARY KEY (minute, queue, type)
) WITHOUT ROWID;

-- The slowest completions of each hour (at most a handful per hour), for reports.
CREATE TABLE stats_slowest (
  hour        INTEGER NOT NULL,
  job_id      INTEGER NOT NULL,
  queue       TEXT    NOT NULL,
  key         TEXT,
  run_ms      INTEGER NOT NULL,
  finished_at INTEGER NOT NULL,
  PRIMARY KEY (hour, job_id)
) WITHOUT ROWID;

CREATE TABLE alerts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  rule        TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  severity    TEXT    NOT NULL,
  state       TEXT    NOT NULL,
  message     TEXT    NOT NULL,
  value       REAL,
  threshold   REAL,
  first_seen  INTEGER NOT NULL,
  last_seen   INTEGER NOT NULL,
  resolved_at INTEGER,
  acked_at    INTEGER,
  acked_by    TEXT
);
-- At most one firing alert per rule and subject.
CREATE UNIQUE INDEX alerts_firing ON alerts (rule, subject) WHERE state = 'firing';

CREATE TABLE reports (
  kind       TEXT    NOT NULL,
  date       TEXT    NOT NULL,
  body       TEXT    NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (kind, date)
) WITHOUT ROWID;

-- Blocked lanes are few: metrics and the lanes view find them without scanning every lane.
CREATE INDEX lanes_blocked ON lanes (queue, since) WHERE blocked = 1;

-- Conditions use = and OR, not IN lists: an IN list in a trigger builds a temporary index
-- on every row change, which costs more than the rest of the trigger.
CREATE TRIGGER jobs_event_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO events (at, type, queue, key, job_id, state, attempt)
    VALUES (NEW.created_at, 'job.enqueued', NEW.queue, NEW.key, NEW.id, NEW.state, NEW.attempts);
END;

-- Lane hand-ons (blocked → waiting/delayed) are logged by lanes_event_handon, which knows when.
CREATE TRIGGER jobs_event_update AFTER UPDATE OF state ON jobs
WHEN OLD.state <> NEW.state AND (OLD.state <> 'blocked' OR NEW.state = 'cancelled') BEGIN
  INSERT INTO events (at, type, queue, key, job_id, state, prev_state, attempt, error_type, duration_ms)
    VALUES (
      CASE NEW.state
        WHEN 'active' THEN NEW.started_at
        WHEN 'completed' THEN NEW.finished_at
        WHEN 'failed' THEN NEW.finished_at
        WHEN 'cancelled' THEN NEW.finished_at
        ELSE CASE WHEN OLD.state = 'active' THEN json_extract(NEW.errors, '$[#-1].at') ELSE NEW.run_at END
      END,
      CASE
        WHEN NEW.state = 'active' THEN 'job.started'
        WHEN OLD.state = 'active' AND (NEW.state = 'waiting' OR NEW.state = 'delayed') THEN 'job.retrying'
        ELSE 'job.' || NEW.state
      END,
      NEW.queue, NEW.key, NEW.id, NEW.state, OLD.state, NEW.attempts,
      CASE WHEN OLD.state = 'active' AND NEW.state <> 'completed' AND NEW.errors <> OLD.errors
        THEN json_extract(NEW.errors, '$[#-1].type') END,
      CASE NEW.state
        WHEN 'active' THEN MAX(0, NEW.started_at - NEW.run_at)
        WHEN 'completed' THEN MAX(0, NEW.finished_at - NEW.started_at)
      END
    );
END;

CREATE TRIGGER lanes_event_handon AFTER UPDATE OF head_id ON lanes
WHEN NEW.head_id <> OLD.head_id AND NEW.blocked = 0 BEGIN
  INSERT INTO events (at, type, queue, key, job_id, state, prev_state, attempt)
    SELECT NEW.since, 'job.' || state, queue, key, id, state, 'blocked', attempts FROM jobs WHERE id = NEW.head_id;
END;
