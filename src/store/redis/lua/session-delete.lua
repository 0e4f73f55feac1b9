-- session-delete.lua: ends one session (sign-out).
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] session hash.
-- Answers 1 when the session was there, 0 otherwise.

local hash = ARGV[2]
local raw = redis.call("HGET", P .. "sessions", hash)
if not raw then return 0 end
local tokenId = cjson.decode(raw).tokenId
redis.call("HDEL", P .. "sessions", hash)
redis.call("ZREM", P .. "sessions:exp", hash)
if tokenId ~= cjson.null then redis.call("SREM", P .. "token:" .. tokenId .. ":sessions", hash) end
return 1
