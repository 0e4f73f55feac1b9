-- jobs-prune.lua: one bounded step of retention: deletes jobs of a queue in a finished state that
-- finished before a time, oldest first, sparing a job that heads its lane (a failed head holds a
-- blocked lane until an operator retries or skips it). A deleted job's schedule runs keep its
-- outcome. The state set is ordered by id, not by finish time, so the step reads the next `step`
-- ids after the cursor and deletes the oldest finished of them. Ids grow in enqueue order and a
-- job finishes after it is created, so the scan ends at the first job created CREATED_SLACK_MS
-- after the cutoff: no later job can have finished before it. (The slack covers clocks of
-- several servers and enqueues re-sent after a reconnect; a job it misses goes in a later pass.)
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] state; ARGV[4] finishedBefore;
-- ARGV[5] limit; ARGV[6] cursor (the last id read, "0" to start); ARGV[7] step; ARGV[8] now.
-- Answers {deleted, bytes, cursor}: the cursor to go on from, or "" when the scan is over.

local CREATED_SLACK_MS = 3600000
local queue, state, before, limit = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local cursor, step, now = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])

local ids = redis.call("ZRANGE", qkey(queue, "st:" .. state), "(" .. cursor, "+inf", "BYSCORE", "LIMIT", 0, step)
local over = #ids < step
local found = {}
for _, id in ipairs(ids) do
  local f = redis.call("HMGET", P .. "job:" .. id, "finishedAt", "key", "createdAt")
  local createdAt = tonumber(f[3])
  if createdAt and createdAt >= before + CREATED_SLACK_MS then
    over = true
    break
  end
  local finishedAt = f[1] and tonumber(f[1])
  if finishedAt and finishedAt < before and not (f[2] and lane_head(queue, f[2]) == id) then
    found[#found + 1] = { id = id, at = finishedAt }
  end
  cursor = id
end
table.sort(found, function(a, b)
  if a.at ~= b.at then return a.at < b.at end
  return tonumber(a.id) < tonumber(b.id)
end)

local function size(text) if text then return #text end return 0 end

local deleted, bytes = 0, 0
for i = 1, math.min(#found, limit) do
  local j = job_get(found[i].id)
  bytes = bytes + size(j.payload) + size(j.errors) + size(j.backoff) + size(j.result) + size(j.checkpoint)
    + size(j.progress) + size(j.key) + size(j.idem)
  runs_keep_outcome(j)
  job_remove(j, now)
  deleted = deleted + 1
end
if deleted == limit then over = true end
wake_flush()
if over then cursor = "" end
return { deleted, bytes, cursor }
