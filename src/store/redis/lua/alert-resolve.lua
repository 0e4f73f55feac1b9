-- alert-resolve.lua: resolves a firing alert; its rule and subject may then fire anew.
-- KEYS[1] routing key. ARGV[2] alert id, ARGV[3] now.
-- Returns the alert's hash as a flat list, or false when the alert is unknown or not firing.
local id, now = ARGV[2], ARGV[3]
local key = P .. "alert:" .. id
local a = redis.call("HMGET", key, "state", "rule", "subject")
if a[1] ~= "firing" then return false end
redis.call("HSET", key, "state", "resolved", "resolvedAt", now)
local firingKey = a[2] .. "|" .. a[3]
if redis.call("HGET", P .. "alerts:firing", firingKey) == id then redis.call("HDEL", P .. "alerts:firing", firingKey) end
redis.call("ZADD", P .. "alerts:resolved", now, id)
return redis.call("HGETALL", key)
