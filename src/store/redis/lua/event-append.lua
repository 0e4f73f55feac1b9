-- event-append.lua: appends an event that is not a job change (alert.firing, alert.resolved) to the
-- event log, under the same id sequence as job events. A run re-sent with the same request id
-- appends nothing and answers the same id.
-- KEYS[1] routing key. ARGV[2] request id, ARGV[3] at (epoch ms), ARGV[4] type, ARGV[5] queue
-- ("" for none, "=" .. name otherwise), ARGV[6] data (JSON). Returns the event's id.
local seen = req_get(ARGV[2])
if seen then return tonumber(seen) end
local n = event_add(ARGV[3], ARGV[4], opt(ARGV[5]), nil, nil, nil, nil, nil, nil, nil, ARGV[6])
flush()
req_put(ARGV[2], n2s(n))
return n
