-- delete.lua: deletes a finished job (its events stay in the log); a lane it held moves on.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] id; ARGV[3] now.
-- Answers 1, or 0 when the job is unknown or unfinished.

local id, now = ARGV[2], tonumber(ARGV[3])
local j = job_get(id)
if not j or not is_final(j.state) then return 0 end
job_remove(j, now)
flush()
return 1
