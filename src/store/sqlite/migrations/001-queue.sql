-- Queue core: jobs, lanes, queues with their state counts, API tokens.

CREATE TABLE jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  queue            TEXT    NOT NULL,
  key              TEXT,
  payload          TEXT    NOT NULL,
  priority         INTEGER NOT NULL,
  state            TEXT    NOT NULL,
  run_at           INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL,
  backoff          TEXT    NOT NULL,
  timeout_ms       INTEGER,
  idempotency_key  TEXT,
  progress         TEXT,
  checkpoint       TEXT,
  result           TEXT,
  errors           TEXT    NOT NULL DEFAULT '[]',
  worker_id        TEXT,
  lease_token      TEXT,
  lease_expires_at INTEGER,
  deadline_at      INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER
);

-- Claims read only runnable rows: blocked and finished jobs are not in these indexes,
-- so a claim costs O(log n) whatever the backlog behind it.
CREATE INDEX jobs_runnable ON jobs (queue, priority DESC, id) WHERE state = 'waiting';
CREATE INDEX jobs_delayed  ON jobs (queue, run_at) WHERE state = 'delayed';
CREATE INDEX jobs_leased   ON jobs (lease_expires_at) WHERE state = 'active';
CREATE INDEX jobs_lane     ON jobs (queue, key, id) WHERE state = 'blocked';
CREATE UNIQUE INDEX jobs_idempotency ON jobs (queue, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- Listing. There is deliberately no (state, id) index across queues: every state change
-- would pay for it, and it cost a third of end-to-end throughput.
CREATE INDEX jobs_by_queue_state ON jobs (queue, state, id);
CREATE INDEX jobs_by_key ON jobs (queue, key, id) WHERE key IS NOT NULL;

-- A lane exists while it has an unfinished job, or while a failed head blocks it.
CREATE TABLE lanes (
  queue   TEXT    NOT NULL,
  key     TEXT    NOT NULL,
  head_id INTEGER NOT NULL,
  blocked INTEGER NOT NULL DEFAULT 0,
  since   INTEGER NOT NULL,
  PRIMARY KEY (queue, key)
) WITHOUT ROWID;

CREATE TABLE queues (
  name              TEXT PRIMARY KEY,
  paused            INTEGER NOT NULL DEFAULT 0,
  config            TEXT    NOT NULL,
  rate_window_start INTEGER NOT NULL DEFAULT 0,
  rate_count        INTEGER NOT NULL DEFAULT 0,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
) WITHOUT ROWID;

-- Counts by state, kept by triggers so monitoring never scans job rows.
CREATE TABLE queue_counts (
  queue TEXT    NOT NULL,
  state TEXT    NOT NULL,
  n     INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (queue, state)
) WITHOUT ROWID;

CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN
  UPDATE queue_counts SET n = n + 1 WHERE queue = NEW.queue AND state = NEW.state;
END;
CREATE TRIGGER jobs_count_update AFTER UPDATE OF state ON jobs WHEN OLD.state <> NEW.state BEGIN
  UPDATE queue_counts SET n = n - 1 WHERE queue = OLD.queue AND state = OLD.state;
  UPDATE queue_counts SET n = n + 1 WHERE queue = NEW.queue AND state = NEW.state;
END;
CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN
  UPDATE queue_counts SET n = n - 1 WHERE queue = OLD.queue AND state = OLD.state;
END;

CREATE TABLE tokens (
  id         TEXT PRIMARY KEY,
  hash       TEXT NOT NULL UNIQUE,
  role       TEXT NOT NULL,
  name       TEXT,
  created_at INTEGER NOT NULL
);
