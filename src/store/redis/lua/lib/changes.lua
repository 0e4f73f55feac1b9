-- changes.lua: how a job changes state. A job changes state only through job_move, which keeps in
-- step with it, in the same script: the state indexes, the queue's counts, the worker's figures,
-- the lane's wait set and one event in the log (the event rules are src/core/job-events.ts), whose
-- id goes on the job's timeline (its hash's `ev` field, written with the move).
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

-- Per queue, whether it has a concurrency limit (read once per script): on such a queue an
-- attempt that ends frees a slot, which a claim waiting on another server must hear of.
local LIMITED = {}
local function has_concurrency_limit(queue)
  local limited = LIMITED[queue]
  if limited == nil then
    local c = redis.call("HGET", P .. "queue:" .. queue, "concurrency")
    limited = c ~= false and c ~= nil and c ~= ""
    LIMITED[queue] = limited
  end
  return limited
end

-- A queue's count of jobs in `state` as this script leaves it so far: what is stored plus the
-- changes gathered and not yet flushed (a claim after completions in the same script sees
-- their slots free).
local function count_now(queue, state)
  local stored = tonumber(redis.call("HGET", P .. "counts:" .. queue, state) or "0")
  local fields = COUNTS[queue]
  return stored + ((fields and fields[state]) or 0)
end

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
-- the key in `k`, the error type in `x` and the data (JSON) in `d`, only when set. A job's event
-- also goes on its timeline: the caller adds the id to the job's `ev` (timeline_add).
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
  if etype and job then redis.call("ZADD", P .. "errs:" .. queue .. "|" .. etype, id, id .. ":" .. job) end
  return n
end

-- A job's timeline with event `n` added: the ids of its events, oldest first, comma-separated, kept
-- in its hash's `ev` field and written with the change that logged the event (one HSET where a list
-- of its own cost a write and a key per job). Jobs enqueued before timelines moved into the hash
-- keep their earlier events' ids in the list job:<id>:ev (keys.ts).
local function timeline_add(ev, n)
  if ev then return ev .. "," .. n2s(n) end
  return n2s(n)
end

-- A queue's jobs in a state are indexed by id in q:<queue>|st:<state>, except waiting jobs (all in
-- the ready set) and active ones (all in the lease set), which need no second index. Retention
-- reads st:<state> in id order (jobs-prune.lua); the finish-time index q:<queue>|done:<state> of
-- earlier releases is no longer written, and its entries go as their jobs leave the state.

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
    end
  end
  tally(COUNTS, j.queue, state, 1)
end

-- Appends the event of job `j`'s change from `from` to `to` (src/core/job-events.ts) and answers its
-- id. `ev` may give at and etype.
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
  return event_add(at, kind, j.queue, j.id, to, from, j.attempts, dur, j.key, etype)
end

-- Moves job `j` (from job_get, or a read of the fields the move needs, `ev` among them) to state
-- `to`, writing `set` (field → value; false deletes the field). Keeps indexes, counts, worker figures
-- and the lane wait set in step, and appends the change's event, on the job's timeline, unless `ev`
-- is false. `j` is updated in place. Answers the fields written, as a flat list, and whether any
-- was deleted.
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
  if ev ~= false and from ~= to then
    j.ev = timeline_add(j.ev, change_event(j, from, to, ev))
    hset[#hset + 1] = "ev"
    hset[#hset + 1] = j.ev
  end
  redis.call("HSET", P .. "job:" .. j.id, unpack(hset))
  if #hdel > 0 then redis.call("HDEL", P .. "job:" .. j.id, unpack(hdel)) end
  if from ~= to then index_in(j, to) end
  if from == "active" and to ~= "active" and has_concurrency_limit(j.queue) then wake(j.queue) end
  if from == "active" and to ~= "active" and oldWorker then
    tally(FIGURES, oldWorker, "active", -1)
    if to == "completed" then tally(FIGURES, oldWorker, "processed", 1)
    elseif to ~= "cancelled" then tally(FIGURES, oldWorker, "failed", 1) end
  end
  if to == "active" and j.workerId then tally(FIGURES, j.workerId, "active", 1) end
  return hset, #hdel > 0
end
