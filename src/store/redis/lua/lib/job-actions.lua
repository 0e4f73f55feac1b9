-- job-actions.lua: errors, re-send answers, and the actions on one job: insert, remove, retry, cancel.
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

-- The job's attempts given back unfinished (error type "shutdown"), as its `gb` counts them; a
-- job written before `gb` existed counts them from its errors.
local function given_back(j)
  if j.gb then return tonumber(j.gb) end
  local n = 0
  for _, e in ipairs(cjson.decode(j.errors or "[]")) do
    if e.type == "shutdown" then n = n + 1 end
  end
  return n
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
  -- With the timeline list a job enqueued by an earlier release kept (changes.lua, timeline_add).
  redis.call("DEL", P .. "job:" .. id, P .. "job:" .. id .. ":ev")
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
  local handOn = false
  if j.key then
    local lane = redis.call("HMGET", lane_key(j.queue, j.key), "head", "blocked")
    if not lane[1] then
      lane_set(j.queue, j.key, id, false, now)
    elseif lane[1] == id and lane[2] == "1" then
      -- The lane's failed head, retried behind an earlier job of its key retried before it (a
      -- bulk retry): the earlier runs first, this one waits behind it.
      local first = redis.call("ZRANGE", lane_wait_key(j.queue, j.key), 0, 0)[1]
      if first and tonumber(first) < tonumber(id) then
        to = "blocked"
        handOn = true
      else
        lane_set(j.queue, j.key, id, false, now)
      end
    else
      to = "blocked"
    end
  end
  local set = { attempts = 0, gb = 0, runAt = now, result = false, progress = false, finishedAt = false, cancelReq = "0", token = false }
  if reset then set.checkpoint = false end
  job_move(j, to, set)
  if handOn then lane_advance(j.queue, j.key, now) end
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
  local at = now
  if from == "active" then at = ended_at(now, j.startedAt) end
  job_move(j, "cancelled", { finishedAt = at, token = false, leaseExp = false, deadline = false })
  if from ~= "blocked" then lane_release(j.queue, j.key, j.id, at) end
end

-- Inserts the new job whose 9 arguments start at ARGV[i] (queue, key (opt), payload JSON, priority,
-- runAt, maxAttempts, backoff JSON, timeoutMs (opt), idempotency key (opt)), creating its queue with
-- `defaults` on first use; an existing idempotency key yields that job. Answers its id, 1 when new
-- (0 for an existing one), and the state the new job starts in.
local function job_insert(i, defaults, now)
  local queue, jobKey, idem = ARGV[i], opt(ARGV[i + 1]), opt(ARGV[i + 8])
  queue_ensure(queue, defaults, now)
  local existing = idem and redis.call("HGET", qkey(queue, "idem"), idem)
  if existing then return existing, 0, nil end
  local id = n2s(sequence_next(P .. "ids"))
  local state = "waiting"
  if tonumber(ARGV[i + 4]) > now then state = "delayed" end
  local laneTaken = jobKey and redis.call("EXISTS", lane_key(queue, jobKey)) == 1
  if laneTaken then state = "blocked" end
  local fields = {
    "queue", queue, "payload", ARGV[i + 2], "priority", ARGV[i + 3], "state", state, "runAt", ARGV[i + 4],
    "attempts", "0", "maxAttempts", ARGV[i + 5], "backoff", ARGV[i + 6], "errors", "[]", "cancelReq", "0",
    "createdAt", n2s(now), "ev", n2s(event_add(now, "job.enqueued", queue, id, state, nil, "0", nil, jobKey, nil)),
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
  if state == "waiting" then wake(queue) end
  return id, 1, state
end
