-- alert-resolve.lua: resolves a firing alert; its rule and subject may then fire anew. A run
-- re-sent with the same request id answers the alert it resolved.
-- KEYS[1] routing key. ARGV[2] request id, ARGV[3] alert id, ARGV[4] now.
-- Returns the alert's hash as a flat list, or false when the alert is unknown or not firing.
local reqId, id, now = ARGV[2], ARGV[3], ARGV[4]
local key = P .. "alert:" .. id
if req_get(reqId) then return redis.call("HGETALL", key) end
local a = redis.call("HMGET", key, "state", "rule", "subject")
if a[1] ~= "firing" then return false end
redis.call("HSET", key, "state", "resolved", "resolvedAt", now)
local firingKey = a[2] .. "|" .. a[3]
if redis.call("HGET", P .. "alerts:firing", firingKey) == id then redis.call("HDEL", P .. "alerts:firing", firingKey) end
redis.call("ZADD", P .. "alerts:resolved", now, id)
req_put(reqId, "1")
return redis.call("HGETALL", key)
