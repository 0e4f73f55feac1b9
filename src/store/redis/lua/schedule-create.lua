-- schedule-create.lua: creates a schedule unless its name is taken.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] name; ARGV[3] definition (JSON, without name and
-- enabled); ARGV[4] enabled ("1"|"0"); ARGV[5] builtin ("1"|"0"); ARGV[6] nextFireAt (opt); ARGV[7] now.
-- Answers the schedule's flat hash, or false when the name is taken.

local name, def, enabled, builtin, nextFireAt, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], opt(ARGV[6]), ARGV[7]
local key = schedule_key(name)
if redis.call("EXISTS", key) == 1 then return false end
redis.call("HSET", key, "def", def, "enabled", enabled, "builtin", builtin, "revision", "1", "createdAt", now, "updatedAt", now)
if nextFireAt then redis.call("HSET", key, "nextFireAt", nextFireAt) end
redis.call("ZADD", P .. "schedules", 0, name)
if enabled == "1" and nextFireAt then redis.call("ZADD", P .. "schedules:due", nextFireAt, name) end
return redis.call("HGETALL", key)
