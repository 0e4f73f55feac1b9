-- complete.lua: completes each job leased with its token whose lease has not expired; the job
-- keeps the token that completed it, so a resent completion can be recognised. (Its leaseExp is
-- left as it was: a lease means something only while the job is active, keys.ts.)
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] now; ARGV[3] answer: "whole" (the flat job) or
-- "brief" ({id, queue, key or false, state}); then 3 per item: id, token, result JSON (opt).
-- Answers one entry per item, false where the lease was lost.

local now, shape = tonumber(ARGV[2]), ARGV[3]

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

local read = job_get
if shape == "brief" then read = job_get_brief end
local out = {}
for i = 4, #ARGV, 3 do
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
flush()
return out
