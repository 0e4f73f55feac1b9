-- queue-pause.lua: pauses or resumes a queue, creating it on first use.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] "1" to pause, "0" to resume;
-- ARGV[4] default settings (JSON); ARGV[5] now. Answers the queue's settings JSON.

local queue, paused, defaults, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
queue_ensure(queue, defaults, now)
redis.call("HSET", P .. "queue:" .. queue, "paused", paused, "updatedAt", n2s(now))
announce({ queue = queue })
if paused == "0" then
  wake(queue)
  flush()
end
return redis.call("HGET", P .. "queues", queue)
