-- The Lua library every Redis script shares, in the files of lua/lib/ taken in the order lua-lib.ts
-- lists them (basics, queues, changes, lanes, job-actions, work). lua-lib.ts puts in front of each
-- script the definitions it uses, so keep the layout it checks at start-up: at column 0 only
-- `local function`, `local … =`, a function's `end` and comments; a definition uses only those above
-- it, in its file or an earlier one.
-- basics.lua: key names (as keys.ts builds them), nullable strings, reading a job's hash.
-- ARGV[1] is the key prefix "{prefix}:"; numbers are written with n2s so large ones keep every digit.

local P = ARGV[1]
local TWO40 = 1099511627776

local function n2s(x) return string.format("%d", x) end
local function qkey(queue, what) return P .. "q:" .. queue .. "|" .. what end
local function lane_key(queue, key) return P .. "lane:" .. queue .. "|" .. key end
local function lane_wait_key(queue, key) return P .. "lanewait:" .. queue .. "|" .. key end

-- Nullable strings arrive as "" for null and "=" .. value otherwise.
local function opt(s) if s == nil or s == "" then return nil end return string.sub(s, 2) end

-- A job as a table of its hash fields (strings), with `id`; nil when there is none. Also answers the
-- hash as HGETALL read it. (The constructor names every field so the table is made at its size once.)
local function job_get(id)
  local flat = redis.call("HGETALL", P .. "job:" .. id)
  if #flat == 0 then return nil end
  local j = {
    id = id, queue = nil, key = nil, payload = nil, priority = nil, state = nil, runAt = nil, attempts = nil,
    maxAttempts = nil, backoff = nil, timeoutMs = nil, idem = nil, progress = nil, checkpoint = nil, result = nil,
    errors = nil, nerr = nil, workerId = nil, token = nil, leaseExp = nil, deadline = nil, cancelReq = nil,
    createdAt = nil, startedAt = nil, finishedAt = nil, ev = nil, gb = nil,
  }
  for i = 1, #flat, 2 do j[flat[i]] = flat[i + 1] end
  return j, flat
end

-- The job's hash as a flat list (id first), the shape every script answers jobs in.
local function job_flat(id)
  local flat = redis.call("HGETALL", P .. "job:" .. id)
  if #flat == 0 then return false end
  table.insert(flat, 1, id)
  table.insert(flat, 1, "id")
  return flat
end

-- The same list from a job table the script keeps in step (job_get, then job_move), without reading
-- the hash again.
local function job_flat_of(j)
  local flat = {}
  for f, v in pairs(j) do
    flat[#flat + 1] = f
    flat[#flat + 1] = v
  end
  return flat
end

-- Tells every server sharing this store that something they keep a copy of changed: a queue's
-- settings ({queue}), the tokens ({tokens}), a worker asked to shut down ({worker}).
local function announce(change) redis.call("PUBLISH", P .. "changes", cjson.encode(change)) end

local function is_final(state) return state == "completed" or state == "failed" or state == "cancelled" end

-- When an attempt that started at `started` (a hash field, or nil) ends, reported at `now`: never
-- before it started, as servers sharing this store each stamp with their own clock (lease.ts).
local function ended_at(now, started) return math.max(now, tonumber(started) or now) end

local function ready_score(j) return (10 - tonumber(j.priority)) * TWO40 + tonumber(j.id) end
