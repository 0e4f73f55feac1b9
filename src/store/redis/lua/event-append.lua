-- event-append.lua: appends an event that is not a job change (alert.firing, alert.resolved) to the
-- event log, under the same id sequence as job events.
-- KEYS[1] routing key. ARGV[2] at (epoch ms), ARGV[3] type, ARGV[4] queue ("" for none,
-- "=" .. name otherwise), ARGV[5] data (JSON). Returns the event's id.
local n = redis.call("INCR", P .. "events:seq")
local args = { "XADD", P .. "events", string.format("%.0f-1", n), "at", ARGV[2], "type", ARGV[3] }
if ARGV[4] ~= "" then
  args[#args + 1] = "queue"
  args[#args + 1] = string.sub(ARGV[4], 2)
end
args[#args + 1] = "data"
args[#args + 1] = ARGV[5]
redis.call(unpack(args))
return n
