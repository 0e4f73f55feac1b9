-- queues.lua: a queue's settings and limits, and its creation on first use.
-- Settings of a queue (decoded), or nil when the queue does not exist.
local function queue_settings(queue)
  local text = redis.call("HGET", P .. "queues", queue)
  if not text then return nil end
  return cjson.decode(text)
end

-- The limits a claim enforces, kept beside the settings JSON in the queue's hash so a claim reads
-- them with the queue's state instead of decoding the settings: fields of HSET queue:<queue>.
local function queue_limits(settings)
  local s = cjson.decode(settings)
  local concurrency, rateMax, rateMs = "", "", ""
  if type(s.concurrency) == "number" then concurrency = n2s(s.concurrency) end
  if type(s.rateLimit) == "table" then rateMax, rateMs = n2s(s.rateLimit.max), n2s(s.rateLimit.intervalMs) end
  return "concurrency", concurrency, "rateMax", rateMax, "rateMs", rateMs
end

-- Creates the queue with the given default settings (JSON) on first use (checked once a script).
local ENSURED = {}
local function queue_ensure(queue, defaults, now)
  if ENSURED[queue] then return end
  ENSURED[queue] = true
  if redis.call("HSETNX", P .. "queues", queue, defaults) == 0 then return end
  redis.call("HSET", P .. "queue:" .. queue, "paused", "0", "rateStart", "0", "rateCount", "0", "createdAt", n2s(now), "updatedAt", n2s(now), queue_limits(defaults))
  redis.call("HSET", P .. "counts:" .. queue, "waiting", 0, "delayed", 0, "blocked", 0, "active", 0, "completed", 0, "failed", 0, "cancelled", 0)
end
