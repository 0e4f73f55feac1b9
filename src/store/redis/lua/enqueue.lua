-- enqueue.lua: inserts a batch of jobs, all or none (nothing can fail between the checks and the
-- writes); an existing idempotency key yields that job instead.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] request id ("" for none): a re-sent batch
-- answers the jobs of the first run; ARGV[3] now; ARGV[4] default queue settings (JSON);
-- then 9 per job: queue, key (opt), payload JSON, priority, runAt, maxAttempts, backoff JSON,
-- timeoutMs (opt), idempotency key (opt).
-- Answers one entry per job: {created (1|0), flat job hash}.

local reqId, now, defaults = ARGV[2], tonumber(ARGV[3]), ARGV[4]

local function answer(ids, created)
  local out = {}
  for i, id in ipairs(ids) do out[i] = { created[i], job_flat(id) } end
  return out
end

local seen = req_get(reqId)
if seen then
  local r = cjson.decode(seen)
  return answer(r.ids, r.created)
end

local ids, created = {}, {}
for i = 5, #ARGV, 9 do
  local queue, key, idem = ARGV[i], opt(ARGV[i + 1]), opt(ARGV[i + 8])
  queue_ensure(queue, defaults, now)
  local existing = idem and redis.call("HGET", qkey(queue, "idem"), idem)
  if existing then
    ids[#ids + 1], created[#created + 1] = existing, 0
  else
    local id = tostring(redis.call("INCR", P .. "ids"))
    local runAt = tonumber(ARGV[i + 4])
    local state = "waiting"
    if runAt > now then state = "delayed" end
    local laneTaken = key and redis.call("EXISTS", lane_key(queue, key)) == 1
    if laneTaken then state = "blocked" end
    local fields = {
      "queue", queue, "payload", ARGV[i + 2], "priority", ARGV[i + 3], "state", state, "runAt", ARGV[i + 4],
      "attempts", "0", "maxAttempts", ARGV[i + 5], "backoff", ARGV[i + 6], "errors", "[]", "cancelReq", "0",
      "createdAt", n2s(now),
    }
    if key then fields[#fields + 1] = "key"; fields[#fields + 1] = key end
    local timeout = opt(ARGV[i + 7])
    if timeout then fields[#fields + 1] = "timeoutMs"; fields[#fields + 1] = timeout end
    if idem then
      fields[#fields + 1] = "idem"; fields[#fields + 1] = idem
      redis.call("HSET", qkey(queue, "idem"), idem, id)
    end
    redis.call("HSET", P .. "job:" .. id, unpack(fields))
    redis.call("ZADD", P .. "all", id, id)
    redis.call("ZADD", qkey(queue, "all"), id, id)
    if key then redis.call("ZADD", qkey(queue, "key:" .. key), id, id) end
    local j = { id = id, queue = queue, key = key, priority = ARGV[i + 3], runAt = ARGV[i + 4] }
    index_in(j, state)
    if key and not laneTaken then lane_set(queue, key, id, false, now) end
    event_add({ at = now, type = "job.enqueued", queue = queue, key = key, job = id, state = state, attempt = 0 })
    if state == "waiting" then wake(queue) end
    ids[#ids + 1], created[#created + 1] = id, 1
  end
end
req_put(reqId, cjson.encode({ ids = ids, created = created }))
wake_flush()
return answer(ids, created)
