-- secret-rotate.lua: replaces a queue's target secret, keeping the current one as previousSecret
-- (receivers still verify with it for a while); a queue without one gets it as its first.
-- record-json.lua in front.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] new secret; ARGV[4] now.
-- Answers the queue's TargetSecret JSON. A rotation re-sent after a reconnect (the secret is the
-- new one already) changes nothing, so the previous secret is not lost.

local SECRET_FIELDS = { "queue", "secret", "previousSecret", "rotatedAt", "createdAt" }
local queue, secret, now = ARGV[2], ARGV[3], tonumber(ARGV[4])
local raw = redis.call("HGET", P .. "secrets", queue)
local s
if raw then
  s = cjson.decode(raw)
  if s.secret == secret then return raw end
  s.previousSecret, s.secret, s.rotatedAt = s.secret, secret, now
else
  s = { queue = queue, secret = secret, createdAt = now }
end
raw = record_json(SECRET_FIELDS, s)
redis.call("HSET", P .. "secrets", queue, raw)
return raw
