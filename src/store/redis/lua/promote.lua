-- promote.lua: moves delayed jobs whose runAt has come (at most `limit`) to waiting, queue by queue.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] now; ARGV[3] limit.
-- Answers {queue, promoted} pairs for the queues that got some.

local now, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local out = {}
for _, queue in ipairs(redis.call("HKEYS", P .. "queues")) do
  if limit <= 0 then break end
  local ids = redis.call("ZRANGEBYSCORE", qkey(queue, "delayed"), "-inf", now, "LIMIT", 0, limit)
  for _, id in ipairs(ids) do job_move(job_get(id), "waiting", {}) end
  if #ids > 0 then
    out[#out + 1] = { queue, #ids }
    wake(queue)
  end
  limit = limit - #ids
end
flush()
return out
