-- history-prune.lua: drops the aggregates of minutes and hours before `before`, and alerts resolved
-- before it, at most `limit` of each per run.
-- KEYS[1] routing key. ARGV[2] before (epoch ms), ARGV[3] limit.
-- Returns { rows, more }: rows as the SQLite store counts them (one per queue and minute, per
-- histogram bucket, per error type, per slow completion, per alert); more is 1 when a limit was hit.
local before, limit = ARGV[2], tonumber(ARGV[3])
local rows, more = 0, 0

local minutes = redis.call("ZRANGEBYSCORE", P .. "agg:minutes", "-inf", "(" .. before, "LIMIT", 0, limit)
for _, minute in ipairs(minutes) do
  local key = P .. "agg:" .. minute
  local queues = {}
  for _, field in ipairs(redis.call("HKEYS", key)) do
    local queue = string.match(field, "^([^|]*)|")
    if queue and not queues[queue] then
      queues[queue] = true
      rows = rows + 1
    end
  end
  rows = rows + redis.call("HLEN", key .. ":run") + redis.call("HLEN", key .. ":wait") + redis.call("HLEN", key .. ":err")
  redis.call("DEL", key, key .. ":run", key .. ":wait", key .. ":err")
  redis.call("ZREM", P .. "agg:minutes", minute)
end
if #minutes == limit then more = 1 end

local hours = redis.call("ZRANGEBYSCORE", P .. "slow:hours", "-inf", "(" .. before, "LIMIT", 0, limit)
for _, hour in ipairs(hours) do
  rows = rows + redis.call("ZCARD", P .. "slow:" .. hour)
  redis.call("DEL", P .. "slow:" .. hour)
  redis.call("ZREM", P .. "slow:hours", hour)
end
if #hours == limit then more = 1 end

local alerts = redis.call("ZRANGEBYSCORE", P .. "alerts:resolved", "-inf", "(" .. before, "LIMIT", 0, limit)
for _, id in ipairs(alerts) do
  redis.call("DEL", P .. "alert:" .. id)
  redis.call("ZREM", P .. "alerts:order", id)
  redis.call("ZREM", P .. "alerts:resolved", id)
  rows = rows + 1
end
if #alerts == limit then more = 1 end

return { rows, more }
