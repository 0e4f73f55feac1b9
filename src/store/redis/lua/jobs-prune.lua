-- jobs-prune.lua: retention: deletes up to `limit` jobs of a queue in a finished state that
-- finished before a time, oldest job first: read in id order through q:<queue>|st:<state> and
-- bounded by the first job created at or after the cutoff (ids grow with creation time and no job
-- finishes before it was created), as on SQLite (schedule-ops.ts, expiredIds). Spares a job that
-- heads its lane (a failed head holds a blocked lane until an operator retries or skips it). A
-- deleted job's schedule runs keep its outcome (job_remove).
-- A batch starts after the last job the batch before it read (ARGV[7], "" for the first): what
-- that one kept is not read again.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] queue; ARGV[3] state; ARGV[4] finishedBefore;
-- ARGV[5] limit; ARGV[6] now; ARGV[7] resume after this job id ("" for none).
-- Answers {deleted, bytes, last job id read ("" for none)}.

local queue, state, before, limit, now = ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local READ = 500
local function size(text) if text then return #text end return 0 end

local deleted, bytes, after, lastRead = 0, 0, "-inf", ARGV[7]
if lastRead ~= "" then after = "(" .. lastRead end
local function prune_from(ids)
  for _, id in ipairs(ids) do
    local j = job_get(id)
    if tonumber(j.createdAt) >= before then return false end
    lastRead = id
    local finished = tonumber(j.finishedAt)
    if finished and finished < before and not (j.key and lane_head(queue, j.key) == id) then
      bytes = bytes + size(j.payload) + size(j.errors) + size(j.backoff) + size(j.result) + size(j.checkpoint)
        + size(j.progress) + size(j.key) + size(j.idem)
      job_remove(j, now)
      deleted = deleted + 1
      if deleted == limit then return false end
    end
  end
  return #ids == READ
end

while deleted < limit do
  local ids = redis.call("ZRANGE", qkey(queue, "st:" .. state), after, "+inf", "BYSCORE", "LIMIT", 0, READ)
  if not prune_from(ids) then break end
  after = "(" .. ids[#ids]
end
flush()
return { deleted, bytes, lastRead }
