-- schedule-runs.lua: a schedule's history, newest first, each run with its job's outcome: read live
-- while the job exists, else the outcome kept when it was deleted (lib/job-actions.lua job_remove).
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] name; ARGV[3] limit.
-- Answers per run {run JSON as stored, live outcome JSON or false}.

local out = {}
for i, text in ipairs(redis.call("LRANGE", runs_key(ARGV[2]), 0, tonumber(ARGV[3]) - 1)) do
  local live = false
  local run = cjson.decode(text)
  if run.jobId and not run.job then
    local j = job_get(run.jobId)
    if j then live = cjson.encode(job_outcome(j)) end
  end
  out[i] = { text, live }
end
return out
