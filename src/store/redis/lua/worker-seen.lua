-- worker-seen.lua: records that a worker is alive, creating it on first sight; fields given replace
-- the stored ones, fields left out keep theirs, and lastSeenAt never moves back. A worker unseen for
-- longer than forgetShutdownAfterMs is a new run of it: a shutdown request left from before is
-- dropped. record-json.lua in front.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] worker id; ARGV[3] kind (opt); ARGV[4] name (opt);
-- ARGV[5] host (opt); ARGV[6] queues JSON (opt); ARGV[7] concurrency (opt); ARGV[8] now;
-- ARGV[9] forgetShutdownAfterMs. An optional argument is "" when left out, "=" .. value when given.
-- Answers 1 when a shutdown is requested for the worker, 0 otherwise.

local WORKER_FIELDS = { "id", "kind", "name", "host", "queues", "concurrency", "firstSeenAt", "lastSeenAt", "shutdownRequestedAt" }

local id, now, forgetMs = ARGV[2], tonumber(ARGV[8]), tonumber(ARGV[9])
local kind, name, host, queues, concurrency = opt(ARGV[3]), opt(ARGV[4]), opt(ARGV[5]), opt(ARGV[6]), opt(ARGV[7])

local raw = redis.call("HGET", P .. "workers", id)
local w
if raw then
  w = cjson.decode(raw)
  if w.lastSeenAt < now - forgetMs then w.shutdownRequestedAt = cjson.null end
  w.lastSeenAt = math.max(w.lastSeenAt, now)
else
  -- A new worker counts what it runs from now on. `active` stays: it is the jobs the worker
  -- holds, some maybe claimed before it was last forgotten (workers-prune.lua).
  redis.call("HDEL", P .. "worker:" .. id, "processed", "failed")
  w = { id = id, kind = "http", queues = {}, firstSeenAt = now, lastSeenAt = now }
end
if kind then w.kind = kind end
if name then w.name = name end
if host then w.host = host end
if queues then w.queues = cjson.decode(queues) end
if concurrency then w.concurrency = tonumber(concurrency) end
redis.call("HSET", P .. "workers", id, record_json(WORKER_FIELDS, w))
if w.shutdownRequestedAt == nil or w.shutdownRequestedAt == cjson.null then return 0 end
return 1
