-- Tokens' last use, the dashboard's sessions, and the index error samples are found by.
--
-- last_used_at is written by the API at most about once a minute per token, never per request.
ALTER TABLE tokens ADD COLUMN last_used_at INTEGER;

-- A session row is keyed by the hash of its id; the id itself lives only in the browser's
-- cookie. token_id NULL: opened with SPOOL_ADMIN_TOKEN, which has no row in `tokens`.
-- Deleting a token deletes its sessions in the same statement (foreign keys are on).
CREATE TABLE sessions (
  hash       TEXT    PRIMARY KEY,
  token_id   TEXT    REFERENCES tokens (id) ON DELETE CASCADE,
  role       TEXT    NOT NULL,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX sessions_by_token ON sessions (token_id) WHERE token_id IS NOT NULL;
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- The newest failure of a queue and error type, for the errors view's sample, without a
-- scan: only events that carry an error type are in this index.
CREATE INDEX events_errors ON events (queue, error_type, id) WHERE error_type IS NOT NULL;
