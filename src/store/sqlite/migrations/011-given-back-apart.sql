-- Attempts given back unfinished (error type "shutdown": a worker or spool shut down) are
-- counted on the row, where they were counted from the errors, which keep only the latest 50
-- and outlive a retry by hand (which starts the count afresh). Jobs take their count from their
-- errors: unfinished ones each state through its own partial index, finished ones (shown as
-- "attempts of maxAttempts") in one pass over the table, once, at the upgrade.
ALTER TABLE jobs ADD COLUMN given_back INTEGER NOT NULL DEFAULT 0;
UPDATE jobs INDEXED BY jobs_runnable SET given_back = min(attempts, (SELECT count(*) FROM json_each(errors) WHERE value ->> 'type' = 'shutdown'))
  WHERE state = 'waiting' AND errors LIKE '%"shutdown"%';
UPDATE jobs INDEXED BY jobs_delayed SET given_back = min(attempts, (SELECT count(*) FROM json_each(errors) WHERE value ->> 'type' = 'shutdown'))
  WHERE state = 'delayed' AND errors LIKE '%"shutdown"%';
UPDATE jobs INDEXED BY jobs_leased SET given_back = min(attempts, (SELECT count(*) FROM json_each(errors) WHERE value ->> 'type' = 'shutdown'))
  WHERE state = 'active' AND errors LIKE '%"shutdown"%';
UPDATE jobs INDEXED BY jobs_lane SET given_back = min(attempts, (SELECT count(*) FROM json_each(errors) WHERE value ->> 'type' = 'shutdown'))
  WHERE state = 'blocked' AND errors LIKE '%"shutdown"%';
UPDATE jobs SET given_back = min(attempts, (SELECT count(*) FROM json_each(errors) WHERE value ->> 'type' = 'shutdown'))
  WHERE state IN ('completed', 'failed', 'cancelled') AND errors LIKE '%"shutdown"%';
