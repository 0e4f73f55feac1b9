-- schedule-lib.lua: what the schedule scripts share (schedule-ops.ts puts it after lib.lua in front
-- of each): schedule key names and the outcome a run keeps of its job (keys.ts).
-- A run is JSON with numbers as strings (cjson would round epoch milliseconds); `job` is the
-- outcome kept once the job is gone, `seen` the job's finished outcome as last read, with `ev`
-- the job's latest event id then.

local function schedule_key(name) return P .. "schedule:" .. name end
local function runs_key(name) return P .. "schedule:" .. name .. "|runs" end

-- What a job became: its state, finishedAt and the message of its last error.
local function job_outcome(j)
  local o = { state = j.state, finishedAt = j.finishedAt }
  local errors = j.errors and cjson.decode(j.errors)
  local last = errors and errors[#errors]
  if last and type(last.message) == "string" then o.error = last.message end
  return o
end

-- The id of a job's latest event, while its timeline is still in the log.
local function job_last_event(id) return redis.call("LINDEX", P .. "job:" .. id .. ":ev", -1) end

-- Job `j` is about to be deleted: the runs of its schedule (named by its idempotency key, as
-- fireKey writes it) that name the job keep its outcome.
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
      run.job, run.seen = outcome, nil
      redis.call("LSET", key, i - 1, cjson.encode(run))
    end
  end
end
