-- cancel.lua: cancels an unfinished job. Not active, or forced: cancelled at once (its lane moves
-- on). Active without force: only marked, so its worker can stop.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] id; ARGV[3] "1" to force; ARGV[4] now.
-- Answers the flat job, or false when unknown or already final.

local id, force, now = ARGV[2], ARGV[3] == "1", tonumber(ARGV[4])
local j = job_get(id)
if not j or is_final(j.state) then return false end
job_cancel(j, force, now)
flush()
return job_flat(id)
