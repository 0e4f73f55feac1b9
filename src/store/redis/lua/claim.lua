-- claim.lua: leases up to `max` runnable jobs of a queue: highest priority first, then enqueue
-- order, only lane heads (blocked jobs are never in the ready set). Due delayed jobs are promoted
-- first, at most 1000 per call. Respects pause, the concurrency limit and the rate limit.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] worker id; ARGV[4] max;
-- ARGV[5] lease ms; ARGV[6] lease token (made by the caller: a re-sent claim answers the jobs
-- the first run leased); ARGV[7] now.
-- Answers the leased jobs as flat hashes.

local queue, workerId, max, leaseMs, token, now =
  ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])

local seen = req_get("claim:" .. token)
if seen then
  local out = {}
  for i, id in ipairs(cjson.decode(seen)) do out[i] = job_flat(id) end
  return out
end

local settings = queue_settings(queue)
if not settings then return {} end
local qk = P .. "queue:" .. queue
local q = redis.call("HMGET", qk, "paused", "rateStart", "rateCount")
if q[1] == "1" then return {} end

local allowed = max
if type(settings.concurrency) == "number" then
  local active = tonumber(redis.call("HGET", P .. "counts:" .. queue, "active") or "0")
  allowed = math.min(allowed, settings.concurrency - active)
end
local rate = settings.rateLimit
local windowStart, started = tonumber(q[2] or "0"), tonumber(q[3] or "0")
if type(rate) == "table" then
  if now >= windowStart + rate.intervalMs then
    windowStart, started = now, 0
  end
  allowed = math.min(allowed, rate.max - started)
end
if allowed <= 0 then return {} end

for _, id in ipairs(redis.call("ZRANGEBYSCORE", qkey(queue, "delayed"), "-inf", now, "LIMIT", 0, 1000)) do
  job_move(job_get(id), "waiting", {})
end

local ids = redis.call("ZRANGE", qkey(queue, "ready"), 0, allowed - 1)
local out = {}
for _, id in ipairs(ids) do
  local j, flat = job_get(id)
  local timeout = tonumber(j.timeoutMs)
  local leaseExp = now + leaseMs
  local deadline = false
  if timeout then
    deadline = now + timeout
    leaseExp = math.min(leaseExp, deadline)
  end
  local written, deleted = job_move(j, "active", {
    attempts = tonumber(j.attempts) + 1, workerId = workerId, token = token, startedAt = now,
    deadline = deadline, leaseExp = leaseExp, cancelReq = "0",
  })
  out[#out + 1] = job_answer(j, flat, written, deleted)
end
if type(rate) == "table" then
  redis.call("HSET", qk, "rateStart", n2s(windowStart), "rateCount", n2s(started + #ids))
end
if #ids > 0 then req_put("claim:" .. token, cjson.encode(ids)) end
flush()
return out
