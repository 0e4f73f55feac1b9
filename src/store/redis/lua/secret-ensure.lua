-- secret-ensure.lua: gives a queue's push target its signing secret when it has none yet.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] TargetSecret JSON to store if none.
-- Answers the queue's TargetSecret JSON.

local queue, record = ARGV[2], ARGV[3]
redis.call("HSETNX", P .. "secrets", queue, record)
return redis.call("HGET", P .. "secrets", queue)
