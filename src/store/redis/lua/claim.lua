-- claim.lua: leases up to `max` runnable jobs of a queue: highest priority first, then enqueue
-- order, only lane heads (blocked jobs are never in the ready set). Due delayed jobs are promoted
-- first, at most 1000 per call. Respects pause, the concurrency limit and the rate limit.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] worker id; ARGV[4] max;
-- ARGV[5] lease ms; ARGV[6] lease token (made by the caller: a re-sent claim answers the jobs
-- the first run leased); ARGV[7] now.
-- Answers the ids of the leased jobs; the caller reads their hashes (job-ops.ts): bringing a whole
-- hash into Lua and back out was a third of a claim's cost inside redis-server.

local queue, workerId, max, leaseMs, token, now =
  ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])

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
flush()
return ids
