-- complete.lua: completes each job leased with its token whose lease has not expired; the job
-- keeps the token that completed it, so a resent completion can be recognised.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] now; ARGV[3] answer: "whole" (the flat job) or
-- "brief" ({id, queue, key or false, state}); then 3 per item: id, token, result JSON (opt).
-- Answers one entry per item, false where the lease was lost.

local now, shape = tonumber(ARGV[2]), ARGV[3]
local out = {}
for i = 4, #ARGV, 3 do
  local id, token = ARGV[i], ARGV[i + 1]
  local j = job_get(id)
  local entry = false
  if j and j.state == "active" and j.token == token and tonumber(j.leaseExp) > now then
    local result = opt(ARGV[i + 2]) or "null"
    job_move(j, "completed", { result = result, finishedAt = now, leaseExp = false })
    lane_release(j.queue, j.key, id, now)
    if shape == "whole" then entry = job_flat_of(j) else entry = { id, j.queue, j.key or false, j.state } end
  end
  out[#out + 1] = entry
end
flush()
return out
