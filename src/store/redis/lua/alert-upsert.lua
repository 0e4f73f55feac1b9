-- alert-upsert.lua: records a condition: refreshes the firing alert of its rule and subject, or opens
-- a new one, so a rule and subject never have two firing alerts. A run re-sent with the same
-- request id changes nothing and answers the same change.
-- KEYS[1] routing key. ARGV[2] request id, ARGV[3] rule, ARGV[4] subject, ARGV[5] severity,
-- ARGV[6] message, ARGV[7] value and ARGV[8] threshold ("" for null, "=" .. number otherwise),
-- ARGV[9] now.
-- Returns { change ("fired", "escalated", "updated"), id, the alert's hash as a flat list }.
local reqId, rule, subject, severity, message, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[9]
local seen = req_get(reqId)
if seen then
  local change, id = string.match(seen, "^(%a+):(%d+)$")
  return { change, id, redis.call("HGETALL", P .. "alert:" .. id) }
end
local firingKey = rule .. "|" .. subject

-- Sets value and threshold: written when given, deleted when null.
local function set_figures(key)
  for i, field in ipairs({ "value", "threshold" }) do
    local v = opt(ARGV[6 + i])
    if v then redis.call("HSET", key, field, v) else redis.call("HDEL", key, field) end
  end
end

local id = redis.call("HGET", P .. "alerts:firing", firingKey)
local change = "fired"
if id then
  local key = P .. "alert:" .. id
  if redis.call("HGET", key, "severity") == severity then change = "updated" else change = "escalated" end
  redis.call("HSET", key, "severity", severity, "message", message, "lastSeen", now)
  set_figures(key)
else
  id = n2s(redis.call("INCR", P .. "alerts:seq"))
  local key = P .. "alert:" .. id
  redis.call("HSET", key, "rule", rule, "subject", subject, "severity", severity, "state", "firing", "message", message,
    "firstSeen", now, "lastSeen", now)
  set_figures(key)
  redis.call("HSET", P .. "alerts:firing", firingKey, id)
  redis.call("ZADD", P .. "alerts:order", id, id)
end
req_put(reqId, change .. ":" .. id)
return { change, id, redis.call("HGETALL", P .. "alert:" .. id) }
