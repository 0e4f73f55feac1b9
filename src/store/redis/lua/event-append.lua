-- event-append.lua: appends an event that is not a job change (alert.firing, alert.resolved) to the
-- event log, under the same id sequence as job events. A run re-sent with the same request id
-- appends nothing and answers the same id.
-- KEYS[1] routing key. ARGV[2] request id, ARGV[3] at (epoch ms), ARGV[4] type, ARGV[5] queue
-- ("" for none, "=" .. name otherwise), ARGV[6] data (JSON). Returns the event's id.
local seen = req_get(ARGV[2])
if seen then return tonumber(seen) end
local n = redis.call("INCR", P .. "events:seq")
local args = { "XADD", P .. "events", n2s(n) .. "-1", "at", ARGV[3], "type", ARGV[4] }
local queue = opt(ARGV[5])
if queue then
  args[#args + 1] = "queue"
  args[#args + 1] = queue
end
args[#args + 1] = "data"
args[#args + 1] = ARGV[6]
redis.call(unpack(args))
req_put(ARGV[2], n2s(n))
return n
