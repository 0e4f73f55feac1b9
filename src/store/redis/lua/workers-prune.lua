-- workers-prune.lua: forgets the workers last seen before a time, and their figures. The count of
-- jobs a forgotten worker still holds stays, as those jobs move it when they end.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] seenBefore.
-- Answers how many workers went.

local seenBefore = tonumber(ARGV[2])
local flat = redis.call("HGETALL", P .. "workers")
local gone = 0
for i = 1, #flat, 2 do
  local id = flat[i]
  if cjson.decode(flat[i + 1]).lastSeenAt < seenBefore then
    redis.call("HDEL", P .. "workers", id)
    local figures = P .. "worker:" .. id
    if tonumber(redis.call("HGET", figures, "active") or "0") == 0 then
      redis.call("DEL", figures)
    else
      redis.call("HDEL", figures, "processed", "failed")
    end
    gone = gone + 1
  end
end
return gone
