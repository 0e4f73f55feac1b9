-- lane-skip.lua: skips the failed head of a blocked lane: the lane moves on, the head stays failed.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] key; ARGV[4] now.
-- Answers 1, or 0 when the lane is not blocked.

local queue, key, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call("HGET", lane_key(queue, key), "blocked") ~= "1" then return 0 end
lane_advance(queue, key, now)
flush()
return 1
