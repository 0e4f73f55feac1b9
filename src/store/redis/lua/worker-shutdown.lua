-- worker-shutdown.lua: asks a worker to shut down; a request already made keeps its time.
-- record-json.lua in front.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] worker id; ARGV[3] now.
-- Answers {WorkerRecord JSON, active, processed, failed} (a figure never moved is nil), or nil
-- when the worker is unknown.

local WORKER_FIELDS = { "id", "kind", "name", "host", "queues", "concurrency", "firstSeenAt", "lastSeenAt", "shutdownRequestedAt" }
local id, now = ARGV[2], tonumber(ARGV[3])
local raw = redis.call("HGET", P .. "workers", id)
if not raw then return false end
local w = cjson.decode(raw)
if w.shutdownRequestedAt == nil or w.shutdownRequestedAt == cjson.null then
  w.shutdownRequestedAt = now
  raw = record_json(WORKER_FIELDS, w)
  redis.call("HSET", P .. "workers", id, raw)
  announce({ worker = id })
end
local figures = redis.call("HMGET", P .. "worker:" .. id, "active", "processed", "failed")
return { raw, figures[1], figures[2], figures[3] }
