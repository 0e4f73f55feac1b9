-- alert-ack.lua: marks an alert acknowledged, once: a later acknowledgement keeps the first.
-- KEYS[1] routing key. ARGV[2] alert id, ARGV[3] by ("" for null, "=" .. name otherwise), ARGV[4] now.
-- Returns the alert's hash as a flat list, or false when the alert is unknown.
local key = P .. "alert:" .. ARGV[2]
if redis.call("EXISTS", key) == 0 then return false end
local by = opt(ARGV[3])
if redis.call("HSETNX", key, "ackedAt", ARGV[4]) == 1 and by then redis.call("HSET", key, "ackedBy", by) end
return redis.call("HGETALL", key)
