-- fail.lua: ends an attempt in failure — reported by its worker (the lease must be live) or
-- found by the reaper (the lease must have run out). With a retry time the job waits (or is
-- delayed) for its next attempt, unless a cancel was requested meanwhile; without, it fails for
-- good (or is cancelled when a cancel was requested), and its lane moves on or, with
-- laneOnFailure "block", stops behind it.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] id; ARGV[3] token; ARGV[4] the JobError (JSON);
-- ARGV[5] its type; ARGV[6] its at; ARGV[7] retryAt (opt); ARGV[8] now; ARGV[9] "expired" or "live".
-- Answers the flat job, or false when the guard failed.

local id, token, errorJson, errorType, errorAt = ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local retryAt, now, expired = opt(ARGV[7]), tonumber(ARGV[8]), ARGV[9] == "expired"

local j = job_get(id)
if not j or j.state ~= "active" or j.token ~= token then return false end
local leaseExp = tonumber(j.leaseExp)
if expired then
  if leaseExp > now then return false end
elseif leaseExp <= now then
  return false
end

local count = tonumber(j.nerr or "0")
-- A worker's failure keeps its token on the job (like a completion), so the same failure resent
-- after its answer was lost can be recognised; a lease the reaper recovers keeps none.
local endedBy = token
if expired then endedBy = false end
local set = {
  errors = errors_append(j.errors, errorJson, count), nerr = math.min(count + 1, 50),
  token = endedBy, leaseExp = false, deadline = false,
}
-- An attempt given back unfinished is counted apart: errors keeps only the latest 50.
if errorType == "shutdown" then set.gb = given_back(j) + 1 end
-- A cancel requested after the failure's retry was decided wins: the job ends, cancelled.
if retryAt and j.cancelReq ~= "1" then
  retryAt = tonumber(retryAt)
  set.runAt, set.workerId = retryAt, false
  local to = "delayed"
  if retryAt <= now then to = "waiting" end
  job_move(j, to, set, { at = errorAt, etype = errorType })
  if to == "waiting" then wake(j.queue) end
else
  local final = "failed"
  if j.cancelReq == "1" then final = "cancelled" end
  local at = ended_at(now, j.startedAt)
  set.finishedAt = at
  job_move(j, final, set, { etype = errorType })
  if j.key then
    local settings = queue_settings(j.queue)
    if final == "failed" and settings and settings.laneOnFailure == "block" then
      lane_set(j.queue, j.key, id, true, at)
    else
      lane_release(j.queue, j.key, id, at)
    end
  end
end
flush()
return job_flat(id)
