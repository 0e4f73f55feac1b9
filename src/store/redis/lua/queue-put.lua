-- queue-put.lua: replaces a queue's settings when they are still what the caller read
-- (compare-and-set: the caller merged its changes into them), creating the queue on first use.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] settings read (JSON, "" when the
-- queue did not exist); ARGV[4] new settings (JSON); ARGV[5] default settings (JSON); ARGV[6] now.
-- Answers 1, or the settings now stored when they changed in between (the caller merges again).

local queue, expected, settings, defaults, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local current = redis.call("HGET", P .. "queues", queue)
if (current or "") ~= expected then return current or "" end
queue_ensure(queue, defaults, now)
redis.call("HSET", P .. "queues", queue, settings)
redis.call("HSET", P .. "queue:" .. queue, "updatedAt", n2s(now), queue_limits(settings))
announce({ queue = queue })
return 1
