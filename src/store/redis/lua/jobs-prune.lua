-- jobs-prune.lua: retention: deletes up to `limit` jobs of a queue in a finished state that
-- finished before a time, oldest first (by the finish-time index q:<queue>|done:<state>),
-- sparing a job that heads its lane (a failed head holds a blocked lane until an operator
-- retries or skips it). A deleted job's schedule runs keep its outcome (job_remove).
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] state; ARGV[4] finishedBefore;
-- ARGV[5] limit; ARGV[6] now.
-- Answers {deleted, bytes, more}: more is 1 when the limit stopped it.

local queue, state, before, limit, now = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local function size(text) if text then return #text end return 0 end

local deleted, bytes, offset = 0, 0, 0
while deleted < limit do
  local ids = redis.call("ZRANGE", qkey(queue, "done:" .. state), "-inf", "(" .. n2s(before), "BYSCORE", "LIMIT", offset, limit - deleted)
  if #ids == 0 then break end
  for _, id in ipairs(ids) do
    local j = job_get(id)
    if j.key and lane_head(queue, j.key) == id then
      offset = offset + 1
    else
      bytes = bytes + size(j.payload) + size(j.errors) + size(j.backoff) + size(j.result) + size(j.checkpoint)
        + size(j.progress) + size(j.key) + size(j.idem)
      job_remove(j, now)
      deleted = deleted + 1
    end
  end
end
flush()
return { deleted, bytes }
