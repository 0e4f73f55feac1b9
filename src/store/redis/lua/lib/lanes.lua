-- lanes.lua: per-key lanes, one job of a key at a time.
-- Lanes: a lane's head is its one job that is not blocked; the rest wait in lanewait by id.
local function lane_set(queue, key, head, blocked, now)
  redis.call("HSET", lane_key(queue, key), "head", head, "blocked", blocked and "1" or "0", "since", n2s(now))
  redis.call("ZADD", qkey(queue, "lanes"), now, key)
  if blocked then redis.call("ZADD", qkey(queue, "blocked"), now, key)
  else redis.call("ZREM", qkey(queue, "blocked"), key) end
end

local function lane_head(queue, key) return redis.call("HGET", lane_key(queue, key), "head") end

-- The lane's head has ended: the next blocked job in enqueue order becomes head (waiting, or
-- delayed while its runAt is ahead), or the lane goes when none is left.
local function lane_advance(queue, key, now)
  local nxt = redis.call("ZRANGE", lane_wait_key(queue, key), 0, 0)[1]
  if not nxt then
    redis.call("DEL", lane_key(queue, key))
    redis.call("ZREM", qkey(queue, "lanes"), key)
    redis.call("ZREM", qkey(queue, "blocked"), key)
    return
  end
  local j = job_get(nxt)
  local to = "delayed"
  if tonumber(j.runAt) <= now then to = "waiting" end
  job_move(j, to, {}, { at = now })
  lane_set(queue, key, nxt, false, now)
  if to == "waiting" then wake(queue) end
end

-- Job `id` leaves its lane for good: the lane moves on only if the job held it.
local function lane_release(queue, key, id, now)
  if not key then return end
  if lane_head(queue, key) == id then lane_advance(queue, key, now) end
end
