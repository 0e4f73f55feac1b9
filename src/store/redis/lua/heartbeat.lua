-- heartbeat.lua: extends a live lease to the later of its expiry and now + leaseMs (never past
-- the attempt's deadline, never shorter), and records progress and checkpoint when given.
-- KEYS[1] routing key. ARGV[1] prefix; ARGV[2] id; ARGV[3] token; ARGV[4] lease ms; ARGV[5]
-- progress JSON (opt); ARGV[6] checkpoint JSON (opt); ARGV[7] now.
-- Answers the flat job, or false when the lease is lost.

local id, token, leaseMs, progress, checkpoint, now =
  ARGV[2], ARGV[3], tonumber(ARGV[4]), opt(ARGV[5]), opt(ARGV[6]), tonumber(ARGV[7])
local j = job_get(id)
if not j or j.state ~= "active" or j.token ~= token or tonumber(j.leaseExp) <= now then return false end
local leaseExp = math.max(tonumber(j.leaseExp), now + leaseMs)
if j.deadline then leaseExp = math.min(leaseExp, tonumber(j.deadline)) end
j.leaseExp = n2s(leaseExp)
local fields = { "leaseExp", j.leaseExp }
if progress then fields[#fields + 1] = "progress"; fields[#fields + 1] = progress; j.progress = progress end
if checkpoint then fields[#fields + 1] = "checkpoint"; fields[#fields + 1] = checkpoint; j.checkpoint = checkpoint end
redis.call("HSET", P .. "job:" .. id, unpack(fields))
redis.call("ZADD", qkey(j.queue, "leases"), j.leaseExp, id)
return job_flat_of(j)
