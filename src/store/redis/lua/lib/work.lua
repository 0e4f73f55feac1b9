-- work.lua: what workers call: completing leased jobs and claiming the next ones.
-- The fields a completion reads and job_move needs to move an active job to completed: for the
-- brief answer there is no need to read (and copy) the whole hash with its payload.
local function job_get_brief(id)
  local r = redis.call("HMGET", P .. "job:" .. id, "state", "token", "leaseExp", "queue", "key", "workerId", "startedAt", "attempts", "ev")
  if not r[1] then return nil end
  return {
    id = id, state = r[1], token = r[2] or nil, leaseExp = r[3] or nil, queue = r[4], key = r[5] or nil,
    workerId = r[6] or nil, startedAt = r[7] or nil, attempts = r[8], result = nil, finishedAt = nil, ev = r[9] or nil,
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
      local at = ended_at(now, j.startedAt)
      job_move(j, "completed", { result = result, finishedAt = at })
      lane_release(j.queue, j.key, id, at)
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
  -- The limits are kept in the queue's hash beside its state (queues.lua, queue_limits).
  local q = redis.call("HMGET", qk, "paused", "rateStart", "rateCount", "concurrency", "rateMax", "rateMs")
  if q[1] ~= "0" then return {} end -- paused, or no such queue

  local allowed = max
  local concurrency = tonumber(q[4])
  if concurrency then
    allowed = math.min(allowed, concurrency - count_now(queue, "active"))
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
    local r = redis.call("HMGET", P .. "job:" .. id, "attempts", "timeoutMs", "runAt", "key", "ev")
    local j = { id = id, queue = queue, state = "waiting", attempts = r[1], timeoutMs = r[2] or nil, runAt = r[3], key = r[4] or nil, ev = r[5] or nil }
    local timeout = tonumber(j.timeoutMs)
    local leaseExp = now + leaseMs
    local deadline = false
    if timeout then
      deadline = now + timeout
      leaseExp = math.min(leaseExp, deadline)
    end
    -- A lane's next job starts no earlier than the lane was handed to it (lanes.lua, "since").
    local startedAt = now
    if j.key then startedAt = math.max(now, tonumber(redis.call("HGET", lane_key(queue, j.key), "since")) or now) end
    job_move(j, "active", {
      attempts = tonumber(j.attempts) + 1, workerId = workerId, token = token, startedAt = startedAt,
      deadline = deadline, leaseExp = leaseExp, cancelReq = "0",
    })
  end
  if rateMax then
    redis.call("HSET", qk, "rateStart", n2s(windowStart), "rateCount", n2s(started + #ids))
  end
  if #ids > 0 then req_put("claim:" .. token, cjson.encode(ids)) end
  return ids
end

-- The hashes of the jobs a claim leased (job_flat, false for one since deleted), read in the same
-- script so a worker pays one round trip per claim: reading them with a second call after the
-- script made every claim wait twice for redis-server, which measured a third more client CPU and
-- less overlap between claims. (A re-sent claim answers the jobs as they are now; the caller keeps
-- those still leased with its token.)
local function leased_flats(ids)
  local flats = {}
  for i, id in ipairs(ids) do flats[i] = job_flat(id) end
  return flats
end
