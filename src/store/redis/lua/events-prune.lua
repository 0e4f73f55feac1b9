-- events-prune.lua: deletes the oldest events beyond the newest `keep`, never past the fold cursor
-- (unfolded events are still owed to the aggregates) and never the newest event, so ids only
-- grow; with each event goes its place in its error group. (A job's timeline keeps the ids of its
-- pruned events; readers take the ones still in the log, monitor-events.ts.)
-- KEYS[1] routing key. ARGV[2] keep, ARGV[3] limit (events per call). Returns how many went.
local latest = tonumber(redis.call("GET", P .. "events:seq") or "0")
local folded = tonumber(redis.call("GET", P .. "fold") or "0")
local keep = math.max(1, tonumber(ARGV[2]))
local limit = tonumber(ARGV[3])
local cutoff = math.min(latest - keep, folded)
if cutoff < 1 or limit < 1 then return 0 end
local entries = redis.call("XRANGE", P .. "events", "-", n2s(cutoff) .. "-1", "COUNT", limit)
if #entries == 0 then return 0 end
for _, entry in ipairs(entries) do
  local n = string.match(entry[1], "^(%d+)-")
  local packed, etype = nil, nil
  local flat = entry[2]
  for i = 1, #flat, 2 do
    if flat[i] == "e" then packed = flat[i + 1] elseif flat[i] == "x" then etype = flat[i + 1] end
  end
  if etype then
    -- The packed fields start at, type, queue, job (event-entry.ts).
    local queue, job = string.match(packed or "", "^[^\t]*\t[^\t]*\t([^\t]*)\t([^\t]*)")
    if job and job ~= "" and queue ~= "" then redis.call("ZREM", P .. "errs:" .. queue .. "|" .. etype, n .. ":" .. job) end
  end
end
local last = tonumber(string.match(entries[#entries][1], "^(%d+)-"))
redis.call("XTRIM", P .. "events", "MINID", n2s(last + 1) .. "-0")
return #entries
