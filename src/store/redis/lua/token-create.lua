-- token-create.lua: adds an API token, found later by the hash of its secret.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] token id; ARGV[3] hash; ARGV[4] TokenRecord JSON.
-- Answers 1. A hash another token holds is an error (hashes are unique); held by this same id,
-- the call was re-sent after a reconnect and changes nothing.

local id, hash, record = ARGV[2], ARGV[3], ARGV[4]
local owner = redis.call("HGET", P .. "tokens:hash", hash)
if owner == id then return 1 end
if owner then return redis.error_reply("ERR a token with this hash exists already") end
redis.call("HSET", P .. "tokens:hash", hash, id)
redis.call("HSET", P .. "tokens", id, record)
return 1
