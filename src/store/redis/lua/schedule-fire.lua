-- schedule-fire.lua: a schedule's fire, a compare-and-set on its revision and nextFireAt: enqueues
-- the job (or finds the one its idempotency key already names, as enqueue.lua does), moves
-- nextFireAt on, bumps the revision and appends the runs to the history — a skip behind the same
-- job as the newest entry extends that entry — keeping the newest `historyKeep` entries.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] name; ARGV[3] expected revision; ARGV[4] expected
-- nextFireAt (opt); ARGV[5] nextFireAt (opt); ARGV[6] historyKeep; ARGV[7] now; ARGV[8] default
-- queue settings (JSON); ARGV[9] "1" when a job follows in ARGV[10..18] (enqueue.lua's 9
-- arguments of a job), "0" when none does; then 7 per run: kind, fireTime, lastFireTime, count,
-- manual ("1"|"0"), catchUp ("1"|"0"), jobId (opt; a fired run records the enqueued job instead).
-- Answers false when the guard failed, else {flat schedule hash, {created (1|0), flat job} or false}.

local name, expectedRevision, expectedNext = ARGV[2], tonumber(ARGV[3]), opt(ARGV[4])
local nextFireAt, keep, now, defaults = opt(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local key, runs = schedule_key(name), runs_key(name)

local current = redis.call("HMGET", key, "revision", "nextFireAt", "enabled")
if not current[1] or tonumber(current[1]) ~= expectedRevision then return false end
local stored = current[2] and tonumber(current[2]) or nil
if stored ~= (expectedNext and tonumber(expectedNext)) then return false end

-- Appends a run; a skip behind the same job as the newest entry extends that entry instead.
local function append(kind, fireTime, lastFireTime, count, manual, catchUp, jobId)
  if kind == "skipped" then
    local text = redis.call("LINDEX", runs, 0)
    local latest = text and cjson.decode(text)
    if latest and latest.kind == "skipped" and latest.jobId == jobId then
      latest.count = n2s(tonumber(latest.count) + tonumber(count))
      latest.lastFireTime, latest.at = lastFireTime, n2s(now)
      redis.call("LSET", runs, 0, cjson.encode(latest))
      return
    end
  end
  local run = {
    id = tostring(redis.call("INCR", P .. "schedules:seq")), kind = kind, fireTime = fireTime,
    lastFireTime = lastFireTime, count = count, manual = manual == "1", catchUp = catchUp == "1", jobId = jobId, at = n2s(now),
  }
  redis.call("LPUSH", runs, cjson.encode(run))
end

local jobId, created, firstRun = nil, nil, 10
if ARGV[9] == "1" then
  jobId, created = job_insert(10, defaults, now)
  firstRun = 19
end

local firedAt = nil
for i = firstRun, #ARGV, 7 do
  local kind = ARGV[i]
  local runJob = opt(ARGV[i + 6])
  if kind == "fired" then
    runJob = jobId
    firedAt = firedAt or ARGV[i + 1]
  end
  append(kind, ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], runJob)
end
if keep > 0 then redis.call("LTRIM", runs, 0, keep - 1) else redis.call("DEL", runs) end

redis.call("HSET", key, "updatedAt", n2s(now))
redis.call("HINCRBY", key, "revision", 1)
if firedAt then redis.call("HSET", key, "lastFireAt", firedAt) end
if jobId then redis.call("HSET", key, "lastJobId", jobId) end
if nextFireAt then redis.call("HSET", key, "nextFireAt", nextFireAt) else redis.call("HDEL", key, "nextFireAt") end
if current[3] == "1" and nextFireAt then redis.call("ZADD", P .. "schedules:due", nextFireAt, name)
else redis.call("ZREM", P .. "schedules:due", name) end

flush()
local job = false
if jobId then job = { created, job_flat(jobId) } end
return { redis.call("HGETALL", key), job }
