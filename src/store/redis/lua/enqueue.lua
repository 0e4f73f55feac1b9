-- enqueue.lua: inserts a batch of jobs, all or none (nothing can fail between the checks and the
-- writes); an existing idempotency key yields that job instead.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] request id ("" for none): a re-sent batch
-- answers the jobs of the first run; ARGV[3] now; ARGV[4] default queue settings (JSON);
-- then 9 per job: queue, key (opt), payload JSON, priority, runAt, maxAttempts, backoff JSON,
-- timeoutMs (opt), idempotency key (opt).
-- Answers one entry per job: {1, id, state} for a new job (the caller knows the rest of it), or
-- {0, flat job hash} for the job an idempotency key already named; a re-sent batch answers every
-- job as {0, flat job hash}, with created (1|0) as a third entry.

local reqId, now, defaults = ARGV[2], tonumber(ARGV[3]), ARGV[4]

local function answer(ids, created)
  local out = {}
  for i, id in ipairs(ids) do out[i] = { 0, job_flat(id), created[i] } end
  return out
end

local seen = req_get(reqId)
if seen then
  local r = cjson.decode(seen)
  return answer(r.ids, r.created)
end

local ids, created, out = {}, {}, {}
for i = 5, #ARGV, 9 do
  local id, new, state = job_insert(i, defaults, now)
  ids[#ids + 1], created[#created + 1] = id, new
  if new == 1 then out[#out + 1] = { 1, id, state } else out[#out + 1] = { 0, job_flat(id) } end
end
req_put(reqId, cjson.encode({ ids = ids, created = created }))
flush()
return out
