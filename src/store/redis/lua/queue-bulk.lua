-- queue-bulk.lua: one bounded batch of a queue's bulk action, oldest jobs first.
--   purge: deletes jobs in a state (a lane a deleted job held moves on);
--   retry-failed: makes failed jobs run again (only those whose last error has the type, when given);
--   cancel-waiting: cancels blocked jobs, then waiting and delayed ones (blocked first, so
--   cancelling a lane's head finds no one left to hand the lane to).
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] action; ARGV[3] queue; ARGV[4] state (purge) or
-- error type (retry-failed, opt); ARGV[5] limit; ARGV[6] now.
-- Answers how many jobs it changed.

local action, queue, arg, limit, now = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6])
local done = 0

local function by_id(a, b) return tonumber(a) < tonumber(b) end

-- The queue's `n` oldest jobs in a state, by id. Waiting jobs are read from the ready set, the
-- oldest `n` of each priority's band of scores; active ones from the lease set.
local function oldest(state, n)
  if state ~= "waiting" and state ~= "active" then return redis.call("ZRANGE", qkey(queue, "st:" .. state), 0, n - 1) end
  local ids = {}
  if state == "active" then
    ids = redis.call("ZRANGE", qkey(queue, "leases"), 0, -1)
  else
    for priority = 0, 10 do
      local low = (10 - priority) * TWO40
      local band = redis.call("ZRANGE", qkey(queue, "ready"), n2s(low), n2s(low + TWO40 - 1), "BYSCORE", "LIMIT", 0, n)
      for _, id in ipairs(band) do ids[#ids + 1] = id end
    end
  end
  table.sort(ids, by_id)
  local out = {}
  for i = 1, math.min(n, #ids) do out[i] = ids[i] end
  return out
end

local function last_error_type(j)
  local errors = cjson.decode(j.errors)
  local last = errors[#errors]
  return last and last.type
end

if action == "purge" then
  for _, id in ipairs(oldest(arg, limit)) do
    job_remove(job_get(id), now)
    done = done + 1
  end
elseif action == "retry-failed" then
  local errorType = opt(arg)
  local from = 0
  while done < limit do
    local ids = redis.call("ZRANGE", qkey(queue, "st:failed"), from, from + 499)
    if #ids == 0 then break end
    for _, id in ipairs(ids) do
      local j = job_get(id)
      if not errorType or last_error_type(j) == errorType then
        job_retry(j, false, now)
        done = done + 1
        if done == limit then break end
      else
        from = from + 1
      end
    end
  end
elseif action == "cancel-waiting" then
  for _, id in ipairs(oldest("blocked", limit)) do
    job_cancel(job_get(id), false, now)
    done = done + 1
  end
  if done < limit then
    local ids = oldest("waiting", limit - done)
    for _, id in ipairs(oldest("delayed", limit - done)) do ids[#ids + 1] = id end
    table.sort(ids, by_id)
    for i = 1, math.min(#ids, limit - done) do job_cancel(job_get(ids[i]), false, now) end
    done = done + math.min(#ids, limit - done)
  end
else
  return redis.error_reply("unknown bulk action " .. action)
end
flush()
return done
