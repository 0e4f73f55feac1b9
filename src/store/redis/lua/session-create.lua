-- session-create.lua: opens a dashboard session, only while the token it is opened with exists.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] session hash; ARGV[3] token id ("" for the
-- SPOOL_ADMIN_TOKEN bootstrap admin, which has no token); ARGV[4] expiresAt; ARGV[5] Session JSON.
-- Answers 1, or 0 when the token is gone (revoked while signing in). A hash another session holds
-- is an error (hashes are unique); held by this same session, the call was re-sent and changes nothing.

local hash, tokenId, expiresAt, record = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
if tokenId ~= "" and redis.call("HEXISTS", P .. "tokens", tokenId) == 0 then return 0 end
local existing = redis.call("HGET", P .. "sessions", hash)
if existing == record then return 1 end
if existing then return redis.error_reply("ERR a session with this hash exists already") end
redis.call("HSET", P .. "sessions", hash, record)
redis.call("ZADD", P .. "sessions:exp", expiresAt, hash)
if tokenId ~= "" then redis.call("SADD", P .. "token:" .. tokenId .. ":sessions", hash) end
return 1
