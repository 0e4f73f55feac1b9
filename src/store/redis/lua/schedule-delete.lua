-- schedule-delete.lua: deletes a schedule and its history.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] name.
-- Answers 1, or 0 when the schedule is unknown (its history goes either way).

local name = ARGV[2]
local gone = redis.call("DEL", schedule_key(name))
redis.call("ZREM", P .. "schedules", name)
redis.call("ZREM", P .. "schedules:due", name)
redis.call("DEL", runs_key(name))
return gone
