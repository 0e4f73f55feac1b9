-- fold.lua: adds the sums of one batch of events to the aggregates and moves the fold cursor past
-- the batch, only if the cursor is still where the batch was read from (compare-and-set): when
-- two servers fold at once, one batch is added and the other refused, so each event counts once.
-- KEYS[1] routing key.
-- ARGV[2] the cursor the batch was read after; ARGV[3] the cursor after the batch;
-- ARGV[4] SLOWEST_PER_HOUR; ARGV[5] i: how many increments; ARGV[6] m: how many minutes;
-- ARGV[7] s: how many slow completions; then i triples (key after the prefix, hash field, amount),
-- m minute starts (for agg:minutes), s triples (hour start, slow:<hour> member, run ms).
-- Returns 1 when the batch was added, 0 when the cursor had moved.
local cursor = redis.call("GET", P .. "fold") or "0"
if cursor ~= ARGV[2] then return 0 end
local keepSlow = tonumber(ARGV[4])
local increments, minutes, slow = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local a = 8
for _ = 1, increments do
  redis.call("HINCRBY", P .. ARGV[a], ARGV[a + 1], ARGV[a + 2])
  a = a + 3
end
for _ = 1, minutes do
  redis.call("ZADD", P .. "agg:minutes", ARGV[a], ARGV[a])
  a = a + 1
end
local hours = {}
for _ = 1, slow do
  local hour = ARGV[a]
  redis.call("ZADD", P .. "slow:" .. hour, ARGV[a + 2], ARGV[a + 1])
  hours[hour] = true
  a = a + 3
end
for hour in pairs(hours) do
  redis.call("ZADD", P .. "slow:hours", hour, hour)
  local key = P .. "slow:" .. hour
  local extra = redis.call("ZCARD", key) - keepSlow
  if extra > 0 then redis.call("ZREMRANGEBYRANK", key, 0, extra - 1) end
end
redis.call("SET", P .. "fold", ARGV[3])
return 1
