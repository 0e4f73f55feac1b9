-- Workers: the registry of pull, in-process and push workers, and push targets' signing secrets.
--
-- A worker row is written when the worker claims or heartbeats. `processed` and `failed`
-- are kept by a trigger on `jobs`, inside the transaction that ends the attempt, for the
-- worker that held the job: completed → processed + 1; back to waiting/delayed or failed
-- (a failed attempt, or an expired lease) → failed + 1. A forced cancel counts as neither.
-- Active jobs are read live from `jobs`. Conditions use = and OR rather than IN lists, which
-- would build a temporary index on every row change.

CREATE TABLE workers (
  id                    TEXT    PRIMARY KEY,
  kind                  TEXT    NOT NULL DEFAULT 'http',
  name                  TEXT,
  host                  TEXT,
  queues                TEXT    NOT NULL DEFAULT '[]',
  concurrency           INTEGER,
  processed             INTEGER NOT NULL DEFAULT 0,
  failed                INTEGER NOT NULL DEFAULT 0,
  first_seen_at         INTEGER NOT NULL,
  last_seen_at          INTEGER NOT NULL,
  shutdown_requested_at INTEGER
) WITHOUT ROWID;

CREATE INDEX workers_last_seen ON workers (last_seen_at);

-- Failed attempts count here; completions are counted by the store once per worker and
-- batch (JobOps.completeMany), because a trigger per completed job cost ~7 % of throughput.
CREATE TRIGGER workers_count_failures AFTER UPDATE OF state ON jobs
  WHEN OLD.state = 'active' AND NEW.state <> 'active' AND NEW.state <> 'completed' AND OLD.worker_id IS NOT NULL
BEGIN
  UPDATE workers
     SET failed = failed + (NEW.state = 'waiting' OR NEW.state = 'delayed' OR NEW.state = 'failed')
   WHERE id = OLD.worker_id;
END;

-- One signing secret per queue with a push target; the previous one is kept after a
-- rotation so receivers can switch over without refusing deliveries.
CREATE TABLE target_secrets (
  queue           TEXT    PRIMARY KEY,
  secret          TEXT    NOT NULL,
  previous_secret TEXT,
  rotated_at      INTEGER,
  created_at      INTEGER NOT NULL
) WITHOUT ROWID;
