-- retry.lua: makes a failed or cancelled job run again with its attempts reset. A keyed job
-- takes its lane back when free (or when it is the lane's failed head), else waits blocked.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] id; ARGV[3] "1" to reset the checkpoint; ARGV[4] now.
-- Answers the flat job, or false when it is not retryable.

local id, reset, now = ARGV[2], ARGV[3] == "1", tonumber(ARGV[4])
local j = job_get(id)
if not j or (j.state ~= "failed" and j.state ~= "cancelled") then return false end
job_retry(j, reset, now)
flush()
return job_flat(id)
