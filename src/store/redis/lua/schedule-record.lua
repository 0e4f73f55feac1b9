-- schedule-record.lua: records the latest result of a schedule's task.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] name; ARGV[3] result (JSON); ARGV[4] now.
-- Answers 1, or 0 when the schedule is unknown.

local key = schedule_key(ARGV[2])
if redis.call("EXISTS", key) == 0 then return 0 end
redis.call("HSET", key, "lastResult", ARGV[3], "lastResultAt", ARGV[4])
return 1
