-- lib.lua: the job mechanics every script shares. lua-lib.ts puts in front of each script the
-- definitions below that it uses, so keep the layout it checks at start-up: at column 0 only
-- `local function`, `local … =`, a function's `end` and comments; a definition uses only those above it.
-- A job changes state only through job_move, which keeps in step with it, in the same script:
-- the state indexes, the queue's counts, the worker's figures, the lane's wait set and one event
-- in the log (the event rules are src/core/job-events.ts; keys are keys.ts).
-- ARGV[1] is the key prefix "{prefix}:"; numbers are written with n2s so large ones keep every digit.

local P = ARGV[1]
local TWO40 = 1099511627776

local function n2s(x) return string.format("%d", x) end
local function qkey(queue, what) return P .. "q:" .. queue .. "|" .. what end
local function lane_key(queue, key) return P .. "lane:" .. queue .. "|" .. key end
local function lane_wait_key(queue, key) return P .. "lanewait:" .. queue .. "|" .. key end

-- Nullable strings arrive as "" for null and "=" .. value otherwise.
local function opt(s) if s == nil or s == "" then return nil end return string.sub(s, 2) end

-- A job as a table of its hash fields (strings), with `id`; nil when there is none. Also answers the
-- hash as HGETALL read it. (The constructor names every field so the table is made at its size once.)
local function job_get(id)
  local flat = redis.call("HGETALL", P .. "job:" .. id)
  if #flat == 0 then return nil end
  local j = {
    id = id, queue = nil, key = nil, payload = nil, priority = nil, state = nil, runAt = nil, attempts = nil,
    maxAttempts = nil, backoff = nil, timeoutMs = nil, idem = nil, progress = nil, checkpoint = nil, result = nil,
    errors = nil, nerr = nil, workerId = nil, token = nil, leaseExp = nil, deadline = nil, cancelReq = nil,
    createdAt = nil, startedAt = nil, finishedAt = nil,
  }
  for i = 1, #flat, 2 do j[flat[i]] = flat[i + 1] end
  return j, flat
end

-- The job's hash as a flat list (id first), the shape every script answers jobs in.
local function job_flat(id)
  local flat = redis.call("HGETALL", P .. "job:" .. id)
  if #flat == 0 then return false end
  table.insert(flat, 1, id)
  table.insert(flat, 1, "id")
  return flat
end

-- The same list from a job table the script keeps in step (job_get, then job_move), without reading
-- the hash again.
local function job_flat_of(j)
  local flat = {}
  for f, v in pairs(j) do
    flat[#flat + 1] = f
    flat[#flat + 1] = v
  end
  return flat
end

local function is_final(state) return state == "completed" or state == "failed" or state == "cancelled" end

local function ready_score(j) return (10 - tonumber(j.priority)) * TWO40 + tonumber(j.id) end

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

-- Writes a script can gather and make once at its end, so moving many jobs costs one write each:
-- count changes per queue and state, worker figures, and the ids and event ids taken beyond the
-- first (sequence_next). Queues that got runnable jobs are announced in one message, for long
-- polls on every server. Every script that moves, inserts or removes jobs calls flush() before it
-- answers.
local COUNTS, FIGURES, WOKEN, SEQUENCES = {}, {}, {}, {}

local function tally(t, name, field, delta)
  local fields = t[name]
  if not fields then fields = {}; t[name] = fields end
  fields[field] = (fields[field] or 0) + delta
end

local function wake(queue) WOKEN[queue] = true end

-- The next value of a sequence key: the first of a script is an INCR, the rest count on from it.
local function sequence_next(key)
  local s = SEQUENCES[key]
  if not s then
    s = { last = redis.call("INCR", key), taken = 0 }
    SEQUENCES[key] = s
    return s.last
  end
  s.last, s.taken = s.last + 1, s.taken + 1
  return s.last
end

local function flush()
  for name, fields in pairs(COUNTS) do
    for state, delta in pairs(fields) do
      if delta ~= 0 then redis.call("HINCRBY", P .. "counts:" .. name, state, delta) end
    end
  end
  for name, fields in pairs(FIGURES) do
    for field, delta in pairs(fields) do
      if delta ~= 0 then redis.call("HINCRBY", P .. "worker:" .. name, field, delta) end
    end
  end
  for key, s in pairs(SEQUENCES) do
    if s.taken > 0 then redis.call("INCRBY", key, s.taken) end
  end
  local queues = {}
  for queue in pairs(WOKEN) do queues[#queues + 1] = queue end
  if #queues > 0 then redis.call("PUBLISH", P .. "wake", table.concat(queues, "\n")) end
  COUNTS, FIGURES, WOKEN, SEQUENCES = {}, {}, {}, {}
end

-- Appends one event to the log; returns its id. The stream entry (event-entry.ts): at, type, queue,
-- job, state, prev, attempt and dur packed in `e`, tab-separated ("" for none; numbers or strings);
-- the key in `k`, the error type in `x` and the data (JSON) in `d`, only when set.
local function event_add(at, kind, queue, job, state, prev, attempt, dur, key, etype, data)
  local n = sequence_next(P .. "events:seq")
  local id = n2s(n)
  if type(at) == "number" then at = n2s(at) end
  local e = (at or "") .. "\t" .. kind .. "\t" .. (queue or "") .. "\t" .. (job or "") .. "\t" .. (state or "") .. "\t" .. (prev or "")
    .. "\t" .. (attempt or "") .. "\t" .. (dur or "")
  if not (key or etype or data) then
    redis.call("XADD", P .. "events", id .. "-1", "e", e)
  else
    local args = { "XADD", P .. "events", id .. "-1", "e", e }
    if key then args[#args + 1] = "k"; args[#args + 1] = key end
    if etype then args[#args + 1] = "x"; args[#args + 1] = etype end
    if data then args[#args + 1] = "d"; args[#args + 1] = data end
    redis.call(unpack(args))
  end
  if job then redis.call("RPUSH", P .. "job:" .. job .. ":ev", id) end
  if etype and job then redis.call("ZADD", P .. "errs:" .. queue .. "|" .. etype, id, id .. ":" .. job) end
  return n
end

-- A queue's jobs in a state are indexed by id in q:<queue>|st:<state>, except waiting jobs (all in
-- the ready set) and active ones (all in the lease set), which need no second index.

-- Takes a job out of the indexes of its state.
local function index_out(j, state)
  local id = j.id
  if state == "waiting" then redis.call("ZREM", qkey(j.queue, "ready"), id)
  elseif state == "active" then redis.call("ZREM", qkey(j.queue, "leases"), id)
  else
    redis.call("ZREM", qkey(j.queue, "st:" .. state), id)
    if state == "delayed" then redis.call("ZREM", qkey(j.queue, "delayed"), id)
    elseif state == "blocked" and j.key then redis.call("ZREM", lane_wait_key(j.queue, j.key), id)
    elseif is_final(state) then redis.call("ZREM", qkey(j.queue, "done:" .. state), id) end
  end
  tally(COUNTS, j.queue, state, -1)
end

-- Puts a job in the indexes of its state.
local function index_in(j, state)
  local id = j.id
  if state == "waiting" then redis.call("ZADD", qkey(j.queue, "ready"), n2s(ready_score(j)), id)
  elseif state == "active" then redis.call("ZADD", qkey(j.queue, "leases"), j.leaseExp, id)
  else
    redis.call("ZADD", qkey(j.queue, "st:" .. state), id, id)
    if state == "delayed" then redis.call("ZADD", qkey(j.queue, "delayed"), j.runAt, id)
    elseif state == "blocked" and j.key then redis.call("ZADD", lane_wait_key(j.queue, j.key), id, id)
    elseif is_final(state) then redis.call("ZADD", qkey(j.queue, "done:" .. state), j.finishedAt, id) end
  end
  tally(COUNTS, j.queue, state, 1)
end

-- Appends the event of job `j`'s change from `from` to `to` (src/core/job-events.ts). `ev` may give
-- at and etype.
local function change_event(j, from, to, ev)
  local kind, at, dur = nil, nil, nil
  if to == "active" then
    kind, at = "job.started", j.startedAt
    dur = n2s(math.max(0, tonumber(j.startedAt) - tonumber(j.runAt)))
  elseif from == "active" and (to == "waiting" or to == "delayed") then
    kind = "job.retrying"
  else
    kind = "job." .. to
  end
  if at == nil then
    if is_final(to) then at = j.finishedAt
    elseif from ~= "active" then at = j.runAt end
  end
  if to == "completed" then dur = n2s(math.max(0, tonumber(j.finishedAt) - tonumber(j.startedAt))) end
  local etype = nil
  if ev then
    if ev.at then at = ev.at end
    etype = ev.etype
  end
  event_add(at, kind, j.queue, j.id, to, from, j.attempts, dur, j.key, etype)
end

-- Moves job `j` (from job_get) to state `to`, writing `set` (field → value; false deletes the
-- field). Keeps indexes, counts, worker figures and the lane wait set in step, and appends the
-- change's event unless `ev` is false. `j` is updated in place. Answers the fields written, as a
-- flat list, and whether any was deleted.
local function job_move(j, to, set, ev)
  local from = j.state
  local oldWorker = j.workerId
  local hset, hdel = { "state", to }, {}
  for f, v in pairs(set) do
    if v == false then
      if j[f] ~= nil then hdel[#hdel + 1] = f end
      j[f] = nil
    else
      if type(v) == "number" then v = n2s(v) end
      hset[#hset + 1] = f
      hset[#hset + 1] = v
      j[f] = v
    end
  end
  if from ~= to then index_out(j, from) end
  j.state = to
  redis.call("HSET", P .. "job:" .. j.id, unpack(hset))
  if #hdel > 0 then redis.call("HDEL", P .. "job:" .. j.id, unpack(hdel)) end
  if from ~= to then index_in(j, to) end
  if from == "active" and to ~= "active" and oldWorker then
    tally(FIGURES, oldWorker, "active", -1)
    if to == "completed" then tally(FIGURES, oldWorker, "processed", 1)
    elseif to ~= "cancelled" then tally(FIGURES, oldWorker, "failed", 1) end
  end
  if to == "active" and j.workerId then tally(FIGURES, j.workerId, "active", 1) end
  if ev ~= false and from ~= to then change_event(j, from, to, ev) end
  return hset, #hdel > 0
end

-- Lanes: a lane's head is its one job that is not blocked; the rest wait in lanewait by id.
local function lane_set(queue, key, head, blocked, now)
  redis.call("HSET", lane_key(queue, key), "head", head, "blocked", blocked and "1" or "0", "since", n2s(now))
  redis.call("ZADD", qkey(queue, "lanes"), now, key)
  if blocked then redis.call("ZADD", qkey(queue, "blocked"), now, key)
  else redis.call("ZREM", qkey(queue, "blocked"), key) end
end

local function lane_head(queue, key) return redis.call("HGET", lane_key(queue, key), "head") end

-- The lane's head has ended: the next blocked job in enqueue order becomes head (waiting, or
-- delayed while its runAt is ahead), or the lane goes when none is left.
local function lane_advance(queue, key, now)
  local nxt = redis.call("ZRANGE", lane_wait_key(queue, key), 0, 0)[1]
  if not nxt then
    redis.call("DEL", lane_key(queue, key))
    redis.call("ZREM", qkey(queue, "lanes"), key)
    redis.call("ZREM", qkey(queue, "blocked"), key)
    return
  end
  local j = job_get(nxt)
  local to = "delayed"
  if tonumber(j.runAt) <= now then to = "waiting" end
  job_move(j, to, {}, { at = now })
  lane_set(queue, key, nxt, false, now)
  if to == "waiting" then wake(queue) end
end

-- Job `id` leaves its lane for good: the lane moves on only if the job held it.
local function lane_release(queue, key, id, now)
  if not key then return end
  if lane_head(queue, key) == id then lane_advance(queue, key, now) end
end

-- Appends a JobError (JSON text) to a job's errors (JSON text), keeping the first 10 and the
-- latest 40 once there are more than 50.
local function errors_append(errors, errorJson, count)
  if count >= 50 then
    local list = cjson.decode(errors)
    table.insert(list, cjson.decode(errorJson))
    while #list > 50 do table.remove(list, 11) end
    return cjson.encode(list)
  end
  if errors == nil or errors == "[]" then return "[" .. errorJson .. "]" end
  return string.sub(errors, 1, -2) .. "," .. errorJson .. "]"
end

-- An answer kept for a request id, so a script re-sent after a reconnect answers the same.
local REQ_TTL_MS = 600000
local function req_get(id) if id == "" then return nil end return redis.call("GET", P .. "req:" .. id) end
local function req_put(id, value) if id ~= "" then redis.call("SET", P .. "req:" .. id, value, "PX", REQ_TTL_MS) end end

-- What a job became, as a schedule's run keeps it once the job is gone: its state, finishedAt
-- and the message of its last error (numbers as strings: cjson would round epoch milliseconds).
local function job_outcome(j)
  local o = { state = j.state, finishedAt = j.finishedAt }
  local errors = j.errors and cjson.decode(j.errors)
  local last = errors and errors[#errors]
  if last and type(last.message) == "string" then o.error = last.message end
  return o
end

local function runs_key(name) return P .. "schedule:" .. name .. "|runs" end

-- Job `j` is about to be deleted: the runs of the schedule that fired it (named by its
-- idempotency key, as the scheduler's fire key writes it) keep its outcome.
local function runs_keep_outcome(j)
  local name = j.idem and string.match(j.idem, "^schedule:(.+):%d%d%d%d%-%d%d%-%d%dT%d%d:%d%d:%d%d%.%d%d%dZ$")
  if not name then return end
  local key = runs_key(name)
  local needle = '"jobId":"' .. j.id .. '"'
  local outcome = nil
  for i, text in ipairs(redis.call("LRANGE", key, 0, -1)) do
    if string.find(text, needle, 1, true) then
      local run = cjson.decode(text)
      outcome = outcome or job_outcome(j)
      run.job = outcome
      redis.call("LSET", key, i - 1, cjson.encode(run))
    end
  end
end

-- Deletes a job and its place in every index; a lane it held moves on, the schedule run that
-- fired it keeps its outcome. Its events stay in the log.
local function job_remove(j, now)
  local id = j.id
  runs_keep_outcome(j)
  index_out(j, j.state)
  redis.call("DEL", P .. "job:" .. id)
  redis.call("ZREM", qkey(j.queue, "all"), id)
  if j.key then redis.call("ZREM", qkey(j.queue, "key:" .. j.key), id) end
  if j.idem then redis.call("HDEL", qkey(j.queue, "idem"), j.idem) end
  if j.state ~= "blocked" then lane_release(j.queue, j.key, id, now) end
end

-- Makes a failed or cancelled job run again with its attempts reset. A keyed job takes its lane
-- back when free (or when it is the lane's failed head), else waits blocked behind it.
local function job_retry(j, reset, now)
  local id = j.id
  local to = "waiting"
  if j.key then
    local lane = redis.call("HMGET", lane_key(j.queue, j.key), "head", "blocked")
    if not lane[1] then
      lane_set(j.queue, j.key, id, false, now)
    elseif lane[1] == id and lane[2] == "1" then
      lane_set(j.queue, j.key, id, false, now)
    else
      to = "blocked"
    end
  end
  local set = { attempts = 0, runAt = now, result = false, progress = false, finishedAt = false, cancelReq = "0", token = false }
  if reset then set.checkpoint = false end
  job_move(j, to, set)
  if to == "waiting" then wake(j.queue) end
end

-- Cancels an unfinished job: at once when not active or forced (its lane moves on), else only
-- marks it so its worker can stop.
local function job_cancel(j, force, now)
  if j.state == "active" and not force then
    redis.call("HSET", P .. "job:" .. j.id, "cancelReq", "1")
    return
  end
  local from = j.state
  job_move(j, "cancelled", { finishedAt = now, token = false, leaseExp = false, deadline = false })
  if from ~= "blocked" then lane_release(j.queue, j.key, j.id, now) end
end

-- Inserts the new job whose 9 arguments start at ARGV[i] (queue, key (opt), payload JSON, priority,
-- runAt, maxAttempts, backoff JSON, timeoutMs (opt), idempotency key (opt)), creating its queue with
-- `defaults` on first use; an existing idempotency key yields that job. Answers its id, 1 when new,
-- and the new job as job_flat answers it (false for an existing one: read it with job_flat).
local function job_insert(i, defaults, now)
  local queue, jobKey, idem = ARGV[i], opt(ARGV[i + 1]), opt(ARGV[i + 8])
  queue_ensure(queue, defaults, now)
  local existing = idem and redis.call("HGET", qkey(queue, "idem"), idem)
  if existing then return existing, 0, false end
  local id = n2s(sequence_next(P .. "ids"))
  local state = "waiting"
  if tonumber(ARGV[i + 4]) > now then state = "delayed" end
  local laneTaken = jobKey and redis.call("EXISTS", lane_key(queue, jobKey)) == 1
  if laneTaken then state = "blocked" end
  local fields = {
    "queue", queue, "payload", ARGV[i + 2], "priority", ARGV[i + 3], "state", state, "runAt", ARGV[i + 4],
    "attempts", "0", "maxAttempts", ARGV[i + 5], "backoff", ARGV[i + 6], "errors", "[]", "cancelReq", "0",
    "createdAt", n2s(now),
  }
  if jobKey then fields[#fields + 1] = "key"; fields[#fields + 1] = jobKey end
  local timeout = opt(ARGV[i + 7])
  if timeout then fields[#fields + 1] = "timeoutMs"; fields[#fields + 1] = timeout end
  if idem then
    fields[#fields + 1] = "idem"; fields[#fields + 1] = idem
    redis.call("HSET", qkey(queue, "idem"), idem, id)
  end
  redis.call("HSET", P .. "job:" .. id, unpack(fields))
  redis.call("ZADD", qkey(queue, "all"), id, id)
  if jobKey then redis.call("ZADD", qkey(queue, "key:" .. jobKey), id, id) end
  index_in({ id = id, queue = queue, key = jobKey, priority = ARGV[i + 3], runAt = ARGV[i + 4] }, state)
  if jobKey and not laneTaken then lane_set(queue, jobKey, id, false, now) end
  event_add(now, "job.enqueued", queue, id, state, nil, "0", nil, jobKey, nil)
  if state == "waiting" then wake(queue) end
  fields[#fields + 1] = "id"; fields[#fields + 1] = id
  return id, 1, fields
end

-- The fields a completion reads and job_move needs to move an active job to completed: for the
-- brief answer there is no need to read (and copy) the whole hash with its payload.
local function job_get_brief(id)
  local r = redis.call("HMGET", P .. "job:" .. id, "state", "token", "leaseExp", "queue", "key", "workerId", "startedAt", "attempts")
  if not r[1] then return nil end
  return {
    id = id, state = r[1], token = r[2] or nil, leaseExp = r[3] or nil, queue = r[4], key = r[5] or nil,
    workerId = r[6] or nil, startedAt = r[7] or nil, attempts = r[8], result = nil, finishedAt = nil,
  }
end

-- Completes the jobs whose (id, token, result JSON (opt)) triples start at ARGV[from] (complete.lua
-- says how); answers one entry per item, false where the lease was lost, in `shape` ("whole": the
-- flat job; "brief": {id, queue, key or false, state}). The caller flush()es.
local function complete_items(now, shape, from)
  local read = job_get
  if shape == "brief" then read = job_get_brief end
  local out = {}
  for i = from, #ARGV, 3 do
    local id, token = ARGV[i], ARGV[i + 1]
    local j = read(id)
    local entry = false
    if j and j.state == "active" and j.token == token and tonumber(j.leaseExp) > now then
      local result = opt(ARGV[i + 2]) or "null"
      job_move(j, "completed", { result = result, finishedAt = now })
      lane_release(j.queue, j.key, id, now)
      if shape == "whole" then entry = job_flat_of(j) else entry = { id, j.queue, j.key or false, j.state } end
    end
    out[#out + 1] = entry
  end
  return out
end

-- Leases up to `max` runnable jobs of `queue` (claim.lua says how) and answers their ids; the
-- caller flush()es.
local function claim_jobs(queue, workerId, max, leaseMs, token, now)
  local seen = req_get("claim:" .. token)
  if seen then return cjson.decode(seen) end

  local qk = P .. "queue:" .. queue
  -- The limits are kept in the queue's hash beside its state (lib.lua, queue_limits).
  local q = redis.call("HMGET", qk, "paused", "rateStart", "rateCount", "concurrency", "rateMax", "rateMs")
  if q[1] ~= "0" then return {} end -- paused, or no such queue

  local allowed = max
  local concurrency = tonumber(q[4])
  if concurrency then
    local active = tonumber(redis.call("HGET", P .. "counts:" .. queue, "active") or "0")
    allowed = math.min(allowed, concurrency - active)
  end
  local rateMax, rateMs = tonumber(q[5]), tonumber(q[6])
  local windowStart, started = tonumber(q[2] or "0"), tonumber(q[3] or "0")
  if rateMax then
    if now >= windowStart + rateMs then
      windowStart, started = now, 0
    end
    allowed = math.min(allowed, rateMax - started)
  end
  if allowed <= 0 then return {} end

  for _, id in ipairs(redis.call("ZRANGEBYSCORE", qkey(queue, "delayed"), "-inf", now, "LIMIT", 0, 1000)) do
    job_move(job_get(id), "waiting", {})
  end

  local ids = redis.call("ZRANGE", qkey(queue, "ready"), 0, allowed - 1)
  for _, id in ipairs(ids) do
    -- What the move needs of a waiting job (which has no worker, token, lease nor deadline).
    local r = redis.call("HMGET", P .. "job:" .. id, "attempts", "timeoutMs", "runAt", "key")
    local j = { id = id, queue = queue, state = "waiting", attempts = r[1], timeoutMs = r[2] or nil, runAt = r[3], key = r[4] or nil }
    local timeout = tonumber(j.timeoutMs)
    local leaseExp = now + leaseMs
    local deadline = false
    if timeout then
      deadline = now + timeout
      leaseExp = math.min(leaseExp, deadline)
    end
    job_move(j, "active", {
      attempts = tonumber(j.attempts) + 1, workerId = workerId, token = token, startedAt = now,
      deadline = deadline, leaseExp = leaseExp, cancelReq = "0",
    })
  end
  if rateMax then
    redis.call("HSET", qk, "rateStart", n2s(windowStart), "rateCount", n2s(started + #ids))
  end
  if #ids > 0 then req_put("claim:" .. token, cjson.encode(ids)) end
  return ids
end
