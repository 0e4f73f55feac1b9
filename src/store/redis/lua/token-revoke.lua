-- token-revoke.lua: deletes a token and every session opened with it, at once.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] token id; ARGV[3] request id: a revoke re-sent after
-- a reconnect answers as the first run did.
-- Answers 1 when the token was there, 0 when it was unknown.

local id, reqId = ARGV[2], ARGV[3]
local seen = req_get(reqId)
if seen then return tonumber(seen) end

local answer = 0
if redis.call("HDEL", P .. "tokens", id) == 1 then
  answer = 1
  local opened = P .. "token:" .. id .. ":sessions"
  for _, hash in ipairs(redis.call("SMEMBERS", opened)) do
    redis.call("HDEL", P .. "sessions", hash)
    redis.call("ZREM", P .. "sessions:exp", hash)
  end
  redis.call("DEL", opened)
  announce({ tokens = true })
  -- The record does not hold its hash; tokens are few (an operator makes each), so look it up.
  local byHash = redis.call("HGETALL", P .. "tokens:hash")
  for i = 1, #byHash, 2 do
    if byHash[i + 1] == id then redis.call("HDEL", P .. "tokens:hash", byHash[i]) end
  end
end
req_put(reqId, answer)
return answer
