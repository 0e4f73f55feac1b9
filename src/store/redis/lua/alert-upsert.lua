-- alert-upsert.lua: records a condition: refreshes the firing alert of its rule and subject, or opens
-- a new one, so a rule and subject never have two firing alerts.
-- KEYS[1] routing key. ARGV[2] rule, ARGV[3] subject, ARGV[4] severity, ARGV[5] message,
-- ARGV[6] value and ARGV[7] threshold ("" for null, "=" .. number otherwise), ARGV[8] now.
-- Returns { change ("fired", "escalated", "updated"), id, the alert's hash as a flat list }.
local rule, subject, severity, message, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[8]
local firingKey = rule .. "|" .. subject

-- Sets value and threshold: written when given, deleted when null.
local function set_figures(key)
  for i, field in ipairs({ "value", "threshold" }) do
    local arg = ARGV[5 + i]
    if arg == "" then redis.call("HDEL", key, field)
    else redis.call("HSET", key, field, string.sub(arg, 2)) end
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
  id = string.format("%.0f", redis.call("INCR", P .. "alerts:seq"))
  local key = P .. "alert:" .. id
  redis.call("HSET", key, "rule", rule, "subject", subject, "severity", severity, "state", "firing", "message", message,
    "firstSeen", now, "lastSeen", now)
  set_figures(key)
  redis.call("HSET", P .. "alerts:firing", firingKey, id)
  redis.call("ZADD", P .. "alerts:order", id, id)
end
return { change, id, redis.call("HGETALL", P .. "alert:" .. id) }
