-- schedule-runs.lua: a schedule's history, newest first, each run with its job's outcome: read live
-- while the job exists, else the outcome kept for it. Retention keeps a job's outcome as it deletes
-- the job (jobs-prune.lua); a job deleted otherwise (delete.lua, a bulk purge) is read back here
-- from `seen`, the finished outcome last read, while the job's latest event is still the one it
-- had then, else from that latest event: its state and finishedAt, and the error seen while no
-- attempt failed since (the log holds no error message).
-- The first read after the deletion keeps what it found, so the log may be pruned later.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] name; ARGV[3] limit.
-- Answers per run {run JSON as stored, live outcome JSON or false}.

local key = runs_key(ARGV[2])

local function same(a, b)
  return a ~= nil and a.state == b.state and a.finishedAt == b.finishedAt and a.error == b.error and a.ev == b.ev
end

-- An event's fields, or nil when it has left the log.
local function event_fields(n)
  local entry = redis.call("XRANGE", P .. "events", n .. "-1", n .. "-1")[1]
  if not entry then return nil end
  local f = {}
  for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
  return f
end

-- The message of a job's last error, when `seen` still tells it: no attempt failed after its event.
local function error_since(id, seen)
  if not seen or not seen.error then return nil end
  local timeline = redis.call("LRANGE", P .. "job:" .. id .. ":ev", 0, -1)
  local from = nil
  for i, n in ipairs(timeline) do
    if n == seen.ev then from = i end
  end
  if not from then return nil end
  for i = from + 1, #timeline do
    local f = event_fields(timeline[i])
    if not f or f.etype then return nil end
  end
  return seen.error
end

-- The outcome of a job that is gone, from what was seen or its latest event in the log; nil when neither tells.
local function outcome_from_log(run)
  local ev = job_last_event(run.jobId)
  if run.seen and (not ev or ev == run.seen.ev) then
    run.seen.ev = nil
    return run.seen
  end
  local f = ev and event_fields(ev)
  if not f or not f.state then return nil end
  local o = { state = f.state, error = error_since(run.jobId, run.seen) }
  if is_final(f.state) then o.finishedAt = f.at end
  return o
end

local out = {}
for i, text in ipairs(redis.call("LRANGE", key, 0, tonumber(ARGV[3]) - 1)) do
  local live = false
  local run = cjson.decode(text)
  if run.jobId and not run.job then
    local j = job_get(run.jobId)
    local changed = false
    if j then
      local o = job_outcome(j)
      live = cjson.encode(o)
      if is_final(j.state) then
        o.ev = job_last_event(j.id) or nil
        if not same(run.seen, o) then run.seen, changed = o, true end
      end
    else
      run.job = outcome_from_log(run)
      if run.job then run.seen, changed = nil, true end
    end
    if changed then
      text = cjson.encode(run)
      redis.call("LSET", key, i - 1, text)
    end
  end
  out[i] = { text, live }
end
return out
