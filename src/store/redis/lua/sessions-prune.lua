-- sessions-prune.lua: deletes sessions expired by now (expiresAt <= now), at most `limit` per run.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] now; ARGV[3] limit.
-- Answers how many went; fewer than `limit` means none expired is left.

local now, limit = ARGV[2], tonumber(ARGV[3])
local expired = redis.call("ZRANGEBYSCORE", P .. "sessions:exp", "-inf", now, "LIMIT", 0, limit)
for _, hash in ipairs(expired) do
  local raw = redis.call("HGET", P .. "sessions", hash)
  if raw then
    local tokenId = cjson.decode(raw).tokenId
    if tokenId ~= cjson.null then redis.call("SREM", P .. "token:" .. tokenId .. ":sessions", hash) end
    redis.call("HDEL", P .. "sessions", hash)
  end
  redis.call("ZREM", P .. "sessions:exp", hash)
end
return #expired
