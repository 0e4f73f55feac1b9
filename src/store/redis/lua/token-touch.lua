-- token-touch.lua: records a use of a token; its lastUsedAt never moves back. record-json.lua in front.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] token id; ARGV[3] now.
-- Answers 1 when lastUsedAt moved, 0 when the token is unknown or was used as late already.

local TOKEN_FIELDS = { "id", "name", "role", "createdAt", "lastUsedAt" }
local id, now = ARGV[2], tonumber(ARGV[3])
local raw = redis.call("HGET", P .. "tokens", id)
if not raw then return 0 end
local token = cjson.decode(raw)
if token.lastUsedAt ~= cjson.null and token.lastUsedAt >= now then return 0 end
token.lastUsedAt = now
redis.call("HSET", P .. "tokens", id, record_json(TOKEN_FIELDS, token))
return 1
