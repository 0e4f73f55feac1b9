-- schedule-put.lua: replaces a schedule's definition and nextFireAt when its revision is still the
-- one the caller read, bumping the revision.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] name; ARGV[3] definition (JSON, without name and
-- enabled); ARGV[4] enabled ("1"|"0"); ARGV[5] nextFireAt (opt); ARGV[6] expected revision; ARGV[7] now.
-- Answers the schedule's flat hash, or false when it is gone or its revision moved on.

local name, def, enabled, nextFireAt, expected, now = ARGV[2], ARGV[3], ARGV[4], opt(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local key = schedule_key(name)
local revision = redis.call("HGET", key, "revision")
if not revision or tonumber(revision) ~= expected then return false end
redis.call("HSET", key, "def", def, "enabled", enabled, "updatedAt", now)
redis.call("HINCRBY", key, "revision", 1)
if nextFireAt then redis.call("HSET", key, "nextFireAt", nextFireAt) else redis.call("HDEL", key, "nextFireAt") end
if enabled == "1" and nextFireAt then redis.call("ZADD", P .. "schedules:due", nextFireAt, name)
else redis.call("ZREM", P .. "schedules:due", name) end
return redis.call("HGETALL", key)
